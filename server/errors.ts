import type { ErrorCode } from '../shared/errors.js'

const STATUS: Record<ErrorCode, number> = {
  VALIDATION: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  RATE_LIMITED: 429,
  SLOT_TAKEN: 409,
  SLOT_HELD: 409,
  SLOT_OVERLAP: 409,
  SLOT_BOOKED: 409,
  IMPORT_INVALID: 400,
  OUTCOME_TOO_EARLY: 409,
  PSC_ACCOUNT_UNKNOWN: 403,
  PSC_ACCOUNT_DISABLED: 403,
  PSC_CALLBACK_INVALID: 400,
  PSC_ACR_INSUFFICIENT: 403,
  PSC_CANCELLED: 401,
  PSC_UNAVAILABLE: 503,
  PSC_REQUIRED: 403,
  DRAINING: 503,
  INTERNAL: 500
}

/** A zod-like issue, so that server-side checks read like schema errors in `details`. */
export interface Issue {
  code: string
  path: PropertyKey[]
  message: string
}

/**
 * An error the client should see as it is: a stable contract code, its HTTP status
 * and a human sentence. Anything else thrown becomes a 500 without details.
 */
export class AppError extends Error {
  readonly code: ErrorCode
  readonly statusCode: number
  readonly details: unknown
  readonly errors: Array<{ line: number, message: string }> | undefined

  constructor (code: ErrorCode, message: string, extra: { details?: unknown, errors?: Array<{ line: number, message: string }> } = {}) {
    super(message)
    this.name = 'AppError'
    this.code = code
    this.statusCode = STATUS[code]
    this.details = extra.details
    this.errors = extra.errors
  }
}

export const notFound = (what: string): AppError => new AppError('NOT_FOUND', `${what} not found`)
export const forbidden = (why = 'your role may not do this'): AppError => new AppError('FORBIDDEN', why)
export const invalid = (issues: Issue[]): AppError =>
  new AppError('VALIDATION', issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '), { details: issues })
