import { errorStatus, type ErrorCode } from '../shared/errors.js'

/** A zod-like issue, so that server-side checks read like schema errors in `details`. */
export interface Issue {
  code: string
  path: PropertyKey[]
  message: string
  /** Values a page may show with the issue (the communes of a postal code). */
  [extra: string]: unknown
}

/**
 * A refusal the client should see as it is: a code of shared/errors.ts (which gives its HTTP
 * status and the French sentence the pages show) and an English sentence for developers and
 * scripts (the JSON `message`). Anything else thrown becomes a 500 without details.
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
    this.statusCode = errorStatus(code)
    this.details = extra.details
    this.errors = extra.errors
  }
}

export const notFound = (what: string): AppError => new AppError('NOT_FOUND', `${what} not found`)
export const forbidden = (why = 'your role may not do this'): AppError => new AppError('FORBIDDEN', why)
export const invalid = (issues: Issue[]): AppError =>
  new AppError('VALIDATION', issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '), { details: issues })
