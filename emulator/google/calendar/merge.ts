/**
 * Google's PATCH semantics: fields present in the body replace, nested objects merge field by field, arrays
 * replace whole, and `null` clears a field. So patching `start.dateTime` keeps the stored `start.timeZone`, and
 * turning a timed event into an all-day one needs `{ date, dateTime: null }`.
 */
type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function mergePatch(target: Json, patch: Json): Json {
  const out: Json = { ...target };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else if (isObject(value) && isObject(out[key])) out[key] = mergePatch(out[key] as Json, value);
    else if (isObject(value)) out[key] = mergePatch({}, value);
    else out[key] = value;
  }
  return out;
}

/** A deep copy of JSON data (stored resources never share objects with requests or answers). */
export const cloneJson = <T>(value: T): T => structuredClone(value);
