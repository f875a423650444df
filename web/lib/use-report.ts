import { useEffect, useState } from 'preact/hooks'
import { api, ApiError } from './api.js'

/**
 * A report read for the board's current query: `path` is the endpoint with its query string, the
 * key of what is shown. Null while it loads (or when the query changed since), then the report
 * or the French message of its failure. An answer to an older query is never shown.
 */
export function useReport<T> (path: string): { report?: T, error?: string } | null {
  const [state, setState] = useState<{ path: string, report?: T, error?: string } | null>(null)
  useEffect(() => {
    let live = true
    api<T>('GET', path).then(
      (report) => { if (live) setState({ path, report }) },
      (err: unknown) => { if (live) setState({ path, error: err instanceof ApiError ? err.french : 'Serveur injoignable.' }) })
    return () => { live = false }
  }, [path])
  return state?.path === path ? state : null
}
