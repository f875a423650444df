import type { RefObject } from 'preact'
import { useEffect, useRef, useState } from 'preact/hooks'
import { ApiError } from '../lib/api.js'
import { frenchFieldErrors, type IssueLike } from '../lib/fr-errors.js'

/** Field path (`practitioner.rpps`) → French sentence shown next to that field. */
export type FieldErrors = Record<string, string>

/** What a failed submit shows: sentences next to fields, and one for the whole form. */
export interface FormErrors { fields: FieldErrors, form?: string | undefined }

export const NO_ERRORS: FormErrors = { fields: {} }

const REQUIRED = 'Champ obligatoire.'

/**
 * French sentences for zod issues, through `frenchFieldErrors`. A text field left empty reads
 * "Champ obligatoire." rather than a length rule: `values` maps each text field path to what
 * was typed. Issues on paths that are not fields of the form become the form's own message.
 */
export function issuesToErrors (issues: ReadonlyArray<{ path: PropertyKey[], message: string }>, values: Record<string, string>, fields: readonly string[]): FormErrors {
  // zod types paths as PropertyKey[]; our schemas never use symbol keys.
  const plain: IssueLike[] = issues.map((i) => ({ ...i, path: i.path.map((p) => typeof p === 'number' ? p : String(p)) }))
  const fr = frenchFieldErrors(plain)
  const out: FieldErrors = {}
  const other: string[] = []
  for (const [path, sentence] of Object.entries(fr)) {
    const typed = values[path]
    if (!fields.includes(path)) other.push(sentence)
    else out[path] = typed !== undefined && typed.trim() === '' ? REQUIRED : sentence
  }
  return { fields: out, form: other.length > 0 ? other.join(' ') : undefined }
}

/**
 * Errors for a refused request: 400 VALIDATION details in French next to their fields; any other
 * refusal's sentence (by its code: shared/errors.ts) next to the fields its `details` name
 * (EMAIL_TAKEN on `email`, RPPS_TAKEN on `practitioner.rpps`), else on the form.
 */
export function requestErrors (err: unknown, values: Record<string, string>, fields: readonly string[]): FormErrors {
  if (!(err instanceof ApiError)) return { fields: {}, form: 'Serveur injoignable. Vérifiez la connexion puis réessayez.' }
  if (err.code === 'VALIDATION' && err.details.length > 0) {
    const found = issuesToErrors(err.details, values, fields)
    if (Object.keys(found.fields).length === 0 && found.form === undefined) return { fields: {}, form: err.french }
    return found
  }
  if (err.code === 'UNAUTHENTICATED') return { fields: {}, form: 'Votre session a expiré : reconnectez-vous dans un autre onglet, puis réessayez.' }
  const at = err.details.map((d) => d.path.join('.')).filter((path) => fields.includes(path))
  if (at.length > 0) return { fields: Object.fromEntries(at.map((path) => [path, err.french])) }
  return { fields: {}, form: err.french }
}

/** ARIA attributes of an input: invalid state and the ids of its hint and error. */
export function a11y (id: string, error: string | undefined, hasHint = false): { id: string, 'aria-invalid': boolean, 'aria-describedby'?: string } {
  const ids = [hasHint ? id + '-hint' : '', error !== undefined ? id + '-error' : ''].filter((s) => s !== '')
  return ids.length > 0
    ? { id, 'aria-invalid': error !== undefined, 'aria-describedby': ids.join(' ') }
    : { id, 'aria-invalid': error !== undefined }
}

/**
 * After a failed submit (each call of the returned function), moves the focus to the first
 * invalid field of the form, in document order, or to the form's message when no field is.
 */
export function useFocusFirstInvalid (form: RefObject<HTMLFormElement>): () => void {
  const [tick, setTick] = useState(0)
  useEffect(() => {
    if (tick === 0 || form.current === null) return
    const target = form.current.querySelector<HTMLElement>('[aria-invalid="true"]') ??
      form.current.querySelector<HTMLElement>('.form-error')
    target?.focus()
  }, [tick])
  return () => setTick((t) => t + 1)
}

/** The form's own message (not tied to one field), focusable so that a failed submit can land on it. */
export function FormError (props: { id: string, message: string | undefined }) {
  if (props.message === undefined) return null
  return <p id={props.id} class='banner banner-error form-error' role='alert' tabIndex={-1}>{props.message}</p>
}

/** A polite live region that always exists, so that screen readers hear the confirmation. */
export function Confirmation (props: { message: string | null }) {
  return (
    <div role='status' class='admin-status'>
      {props.message !== null && <p class='banner banner-ok'>{props.message}</p>}
    </div>
  )
}

/** A ref to a form, typed for `useFocusFirstInvalid`. */
export const useFormRef = (): RefObject<HTMLFormElement> => useRef<HTMLFormElement>(null)
