/**
 * ARIA attributes of an input: its invalid state and the ids of its hint (`<id>-hint`) and error
 * (`<id>-error`), as `Field` renders them. No zod here: pages that import it stay small.
 */
export function described (id: string, error: string | undefined, hasHint = false): { id: string, 'aria-invalid': boolean, 'aria-describedby'?: string } {
  const ids = [hasHint ? id + '-hint' : '', error !== undefined ? id + '-error' : ''].filter((s) => s !== '')
  return ids.length > 0
    ? { id, 'aria-invalid': error !== undefined, 'aria-describedby': ids.join(' ') }
    : { id, 'aria-invalid': error !== undefined }
}
