import { frenchMessage, type ApiErrorBody, type ErrorCode } from '../../shared/errors.js'

/**
 * An error answered by the API, with its code (shared/errors.ts) and, for VALIDATION, the zod
 * issues. What a page shows comes from the code (`french`), never from the server's English
 * `message`; `details[].path` may say which field it goes next to.
 */
export class ApiError extends Error {
  readonly status: number
  /** A code of shared/errors.ts, or OFFLINE (web/lib/live.ts: no answer from the socket). */
  readonly code: ErrorCode | 'OFFLINE'
  readonly details: Array<{ path: Array<string | number>, message: string }>
  readonly body: ApiErrorBody | null
  constructor (status: number, body: ApiErrorBody | null) {
    super(body?.message ?? `HTTP ${status}`)
    this.status = status
    this.code = body?.code ?? 'INTERNAL'
    this.details = Array.isArray(body?.details) ? body.details as ApiError['details'] : []
    this.body = body
  }

  /** The French sentence to show the user for this error. */
  get french (): string { return frenchMessage(this.code) }
}

/** Calls the API with the session cookie; throws ApiError on any non-2xx answer. */
export async function api<T> (method: string, path: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method, headers: {}, credentials: 'same-origin' }
  if (body !== undefined) {
    init.body = JSON.stringify(body)
    init.headers = { 'content-type': 'application/json' }
  }
  const res = await fetch(path, init)
  if (res.status === 204) return undefined as T
  const text = await res.text()
  const json: unknown = text === '' ? null : JSON.parse(text)
  if (!res.ok) throw new ApiError(res.status, json as ApiErrorBody | null)
  return json as T
}

/** Sends a CSV file's text (the season import); throws ApiError on any non-2xx answer. */
export async function apiCsv<T> (path: string, text: string): Promise<T> {
  const res = await fetch(path, { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'text/csv' }, body: text })
  const body = await res.text()
  const json: unknown = body === '' ? null : JSON.parse(body)
  if (!res.ok) throw new ApiError(res.status, json as ApiErrorBody | null)
  return json as T
}
