/** The admin API refused the token (401): the dashboard goes back to its login. */
export class Unauthorized extends Error {}

/** Any other answer than 2xx, with the API's own message. */
export class AdminApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

interface ErrorBody {
  readonly error?: { readonly message?: string };
}

/** The admin JSON API with the admin token as bearer. */
export class AdminClient {
  constructor(
    private readonly token: string,
    private readonly onUnauthorized: () => void,
  ) {}

  get<T>(path: string, query?: URLSearchParams): Promise<T> {
    const search = query === undefined || query.size === 0 ? '' : `?${query.toString()}`;
    return this.call<T>('GET', `${path}${search}`);
  }

  post<T>(path: string): Promise<T> {
    return this.call<T>('POST', path);
  }

  private async call<T>(method: string, path: string): Promise<T> {
    const response = await fetch(`/admin/api${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, accept: 'application/json' },
      cache: 'no-store',
    });
    if (response.status === 401) {
      this.onUnauthorized();
      throw new Unauthorized('the admin token was refused');
    }
    const text = await response.text();
    if (!response.ok) {
      let message = `${response.status} ${response.statusText}`;
      try {
        message = (JSON.parse(text) as ErrorBody).error?.message ?? message;
      } catch {
        // Not the API's JSON (a proxy's page): the status says enough.
      }
      throw new AdminApiError(response.status, message);
    }
    return JSON.parse(text) as T;
  }
}
