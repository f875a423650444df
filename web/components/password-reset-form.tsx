import { useEffect, useState } from 'preact/hooks'
import { frenchMessage } from '../../shared/errors.js'
import { Password, type PasswordResetCheck } from '../../shared/schemas/accounts.js'
import { api, ApiError } from '../lib/api.js'
import { Field } from '../lib/ui.js'

/** The secret of a reset link, from the address's fragment (`#reinitialisation=…`), or null. */
export function resetTokenOf (hash: string): string | null {
  const m = /^#reinitialisation=([\w-]+)$/.exec(hash)
  return m?.[1] ?? null
}

/**
 * "Choisir un nouveau mot de passe", opened from a one-time link an admin gave. On success
 * the link is spent and the fragment dropped from the address; `onDone` shows the sign-in.
 */
export function PasswordResetForm (props: { token: string, onDone: () => void }) {
  const [password, setPassword] = useState('')
  const [again, setAgain] = useState('')
  const [errors, setErrors] = useState<{ password?: string, again?: string, form?: string }>({})
  const [busy, setBusy] = useState(false)
  // null while asking: a link used, expired, replaced or whose account was deactivated says so at once.
  const [valid, setValid] = useState<boolean | null>(null)
  useEffect(() => {
    api<PasswordResetCheck>('POST', '/api/password-reset/check', { token: props.token })
      .then((r) => setValid(r.valid), () => setValid(true))
  }, [props.token])

  async function submit (e: Event): Promise<void> {
    e.preventDefault()
    if (busy) return
    const found: typeof errors = {}
    if (password === '') found.password = 'Champ obligatoire.'
    else if (!Password.safeParse(password).success) found.password = 'Au moins 10 caractères.'
    if (again !== password) found.again = 'Les deux saisies sont différentes.'
    setErrors(found)
    if (Object.keys(found).length > 0) {
      document.getElementById(found.password !== undefined ? 'new-password' : 'new-password-again')?.focus()
      return
    }
    setBusy(true)
    try {
      await api('POST', '/api/password-reset', { token: props.token, password })
      history.replaceState(null, '', location.pathname + location.search)
      props.onDone()
    } catch (err) {
      setErrors({
        form: err instanceof ApiError ? err.french : 'Serveur injoignable. Réessayez.'
      })
      setBusy(false)
    }
  }

  if (valid === false) {
    return (
      <section aria-labelledby='reset-title'>
        <h2 id='reset-title'>Lien de réinitialisation expiré</h2>
        <p id='reset-error' class='error' role='alert'>{frenchMessage('RESET_LINK_INVALID')}</p>
        <button type='button' onClick={() => { history.replaceState(null, '', location.pathname + location.search); props.onDone() }}>Aller à la connexion</button>
      </section>
    )
  }

  return (
    <form onSubmit={(e) => { void submit(e) }} noValidate aria-labelledby='reset-title'>
      <h2 id='reset-title'>Choisir un nouveau mot de passe</h2>
      <Field id='new-password' label='Nouveau mot de passe' error={errors.password} hint='Au moins 10 caractères.'>
        <input id='new-password' type='password' autocomplete='new-password' required value={password} autoFocus
          aria-invalid={errors.password !== undefined} aria-describedby={'new-password-hint' + (errors.password !== undefined ? ' new-password-error' : '')}
          onInput={(e) => setPassword(e.currentTarget.value)} />
      </Field>
      <Field id='new-password-again' label='Confirmez le mot de passe' error={errors.again}>
        <input id='new-password-again' type='password' autocomplete='new-password' required value={again}
          aria-invalid={errors.again !== undefined} aria-describedby={errors.again !== undefined ? 'new-password-again-error' : undefined}
          onInput={(e) => setAgain(e.currentTarget.value)} />
      </Field>
      {errors.form !== undefined && <p id='reset-error' class='error' role='alert'>{errors.form}</p>}
      <button type='submit' class='primary' disabled={busy}>{busy ? 'Enregistrement…' : 'Enregistrer le mot de passe'}</button>
    </form>
  )
}
