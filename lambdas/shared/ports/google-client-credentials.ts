/** The OAuth client the service uses with Google (Secrets Manager in AWS, the environment locally). */
export interface GoogleClientCredentials {
  clientId: string;
  clientSecret: string;
}

export interface GoogleClientCredentialsSource {
  /** Throws when the credentials cannot be read or are incomplete; the message never contains the secret. */
  get(): Promise<GoogleClientCredentials>;
}
