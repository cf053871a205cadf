export interface SentRequest {
  readonly url: string;
  /** Lower-cased names, as the SDK set them. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * A fetch for the SDKs that keeps what they sent, so a test compares the provider's view
 * with the client's actual request instead of with what we believe the SDK sends.
 */
export class RecordingFetch {
  readonly sent: SentRequest[] = [];

  readonly fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => {
      headers[name] = value;
    });
    this.sent.push({ url: request.url, headers, body: await request.clone().text() });
    return fetch(request);
  };

  /** The one request a call made: a retry or a second call would be a finding. */
  only(): SentRequest {
    if (this.sent.length !== 1)
      throw new Error(`expected one request, the SDK sent ${this.sent.length}`);
    return this.sent[0] as SentRequest;
  }
}
