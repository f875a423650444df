import { frenchMessage, type ApiErrorBody } from '../../shared/errors.js'

/** An error answered by the API, with its contract code and, for VALIDATION, the zod issues. */
export class ApiError extends Error {
  readonly status: number
  readonly code: string
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

  /** Issues grouped by field path (`practitioner.rpps`), for messages next to each field. */
  fieldErrors (): Record<string, string> {
    const out: Record<string, string> = {}
    for (const d of this.details) out[d.path.join('.')] ??= d.message
    return out
  }
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
