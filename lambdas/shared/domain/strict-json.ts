/**
 * JSON.parse that refuses an object with the same member twice. RFC 8259 leaves duplicate names to each parser
 * (JSON.parse keeps the last one), so a signed document with `"action"` twice could mean one thing to its
 * signer's checks and another to this service: signed JSON is read strictly. Names are compared after their
 * escapes are decoded (`"a"` and `"\u0061"` are the same member). Throws SyntaxError.
 */
export function parseStrictJson(text: string): unknown {
  const value: unknown = JSON.parse(text);
  assertNoDuplicateMembers(text);
  return value;
}

/**
 * Walks text JSON.parse has accepted: brackets open and close containers, and a string followed by a colon is a
 * member name of the innermost object. Iterative, so deep nesting cannot exhaust the stack.
 */
function assertNoDuplicateMembers(text: string): void {
  const containers: (Set<string> | null)[] = [];
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '{') containers.push(new Set());
    else if (char === '[') containers.push(null);
    else if (char === '}' || char === ']') containers.pop();
    else if (char === '"') {
      let end = i + 1;
      while (text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      let next = end + 1;
      while (next < text.length && ' \t\n\r'.includes(text[next] as string)) next++;
      if (text[next] === ':') {
        const name = JSON.parse(text.slice(i, end + 1)) as string;
        const members = containers.at(-1);
        if (members?.has(name)) throw new SyntaxError('Duplicate member in a JSON object.');
        members?.add(name);
      }
      i = end;
    }
  }
}
