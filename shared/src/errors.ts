// One error class for every package. Each package keeps its own catalog (a
// `const` object of entries made with `defineError`), callers branch on `code`,
// and one place per entry point turns an error into a response. Messages never
// carry secrets: callers pass only the fields they are willing to show.

export interface ErrorEntry {
  /** Stable identifier, `PORTICO_ERR_<AREA>_<WHAT>`. */
  readonly code: string;
  /** HTTP status an entry point answers with. */
  readonly status: number;
  /** Default human message. */
  readonly message: string;
}

export class PorticoError extends Error {
  readonly code: string;
  readonly status: number;
  /** Extra structured detail safe to show to the caller (e.g. Kong's `fields`). */
  readonly detail: Record<string, unknown> | undefined;

  constructor(entry: ErrorEntry, message?: string, detail?: Record<string, unknown>, options?: ErrorOptions) {
    super(message ?? entry.message, options);
    this.name = 'PorticoError';
    this.code = entry.code;
    this.status = entry.status;
    this.detail = detail;
  }
}

export const defineError = (code: string, status: number, message: string): ErrorEntry =>
  Object.freeze({ code, status, message });

export const isPorticoError = (err: unknown, entry?: ErrorEntry): err is PorticoError =>
  err instanceof PorticoError && (entry === undefined || err.code === entry.code);

/** Errors shared by both planes (snapshot handling). */
export const SharedErrors = {
  SNAPSHOT_INVALID: defineError('PORTICO_ERR_SNAPSHOT_INVALID', 400, 'snapshot is invalid'),
  SNAPSHOT_HASH_MISMATCH: defineError('PORTICO_ERR_SNAPSHOT_HASH_MISMATCH', 409, 'config hash does not match after applying delta'),
} as const;
