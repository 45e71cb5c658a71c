/** ID tokens, as Google's token endpoint returns them for a grant with `openid`. */
import { createHash, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';

/** Google's issuer, as its discovery document names it and as ID tokens carry it in `iss`. */
const ID_TOKEN_ISSUER = 'https://accounts.google.com';

/** Signs ID tokens (RS256, as Google does); one key per emulator, never published. */
export class IdTokenSigner {
  private readonly key: KeyObject;
  private readonly kid: string;

  constructor() {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const der = publicKey.export({ type: 'spki', format: 'der' });
    this.key = privateKey;
    this.kid = createHash('sha256').update(der).digest('hex').slice(0, 40);
  }

  /** A signed JWT with the claims Google always sets: `iss`, `azp`, `aud`, `sub`, `iat`, `exp`. */
  sign(userId: string, clientId: string, nowMs: number): string {
    const iat = Math.floor(nowMs / 1000);
    const header = { alg: 'RS256', kid: this.kid, typ: 'JWT' };
    const claims = { iss: ID_TOKEN_ISSUER, azp: clientId, aud: clientId, sub: userId, iat, exp: iat + 3600 };
    const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
    const signingInput = `${encode(header)}.${encode(claims)}`;
    const signature = sign('sha256', Buffer.from(signingInput), this.key).toString('base64url');
    return `${signingInput}.${signature}`;
  }
}
