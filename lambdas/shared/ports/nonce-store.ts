/** Nonces of signed host requests already seen, kept until their signature could no longer be accepted. */
export interface NonceStore {
  /**
   * Records the nonce, atomically: true the first time, false when it was recorded before (a replay).
   * `expiresAt`: epoch seconds after which it may be forgotten.
   */
  claim(nonce: string, expiresAt: number): Promise<boolean>;
}
