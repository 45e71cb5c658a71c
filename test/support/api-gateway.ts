import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';

/** The event and context builders are the local run's own (dev/lambda-runtime): the tests use the same ones. */
export { lambdaContext, type RestRequest, restEvent } from '../../dev/lambda-runtime/api-gateway-event.ts';

export type RestHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

/** Every Set-Cookie of an answer, from either header map. */
export function setCookies(response: APIGatewayProxyResult): string[] {
  const multi = response.multiValueHeaders?.['Set-Cookie'] ?? [];
  const single = response.headers?.['Set-Cookie'];
  return [...multi.map(String), ...(single !== undefined ? [String(single)] : [])];
}

/** A minimal browser cookie jar: keeps name=value of Set-Cookie answers, drops those with Max-Age=0. */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  store(response: APIGatewayProxyResult): void {
    for (const line of setCookies(response)) {
      const [pair = ''] = line.split(';');
      const separator = pair.indexOf('=');
      const name = pair.slice(0, separator);
      if (/;\s*Max-Age=0(;|$)/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, pair.slice(separator + 1));
    }
  }

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  get size(): number {
    return this.cookies.size;
  }
}

export function header(response: APIGatewayProxyResult, name: string): string | undefined {
  const value = Object.entries(response.headers ?? {}).find(
    ([k]) => k.toLowerCase() === name.toLowerCase(),
  )?.[1];
  return value === undefined ? undefined : String(value);
}
