import type { ComponentChildren } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import { PAGES, refusalMessage } from '../../shared/pages.js'
import type { User } from '../../shared/schemas/accounts.js'
import { api } from './api.js'

const ROLE_FR: Record<User['role'], string> = {
  admin: 'Coordination CPTS', practitioner: 'Praticien', regulator: 'Régulation', board: 'Bureau de la CPTS'
}

/** Loads the signed-in user; sends to /connexion when the session has ended. */
export function useMe (): User | null {
  const [me, setMe] = useState<User | null>(null)
  useEffect(() => {
    api<{ user: User }>('GET', '/api/me').then((r) => setMe(r.user), () => {
      location.assign('/connexion?suite=' + encodeURIComponent(location.pathname))
    })
  }, [])
  return me
}

/** Signs out; a session opened through Pro Santé Connect ends at PSC too (its end-session page, then back to /connexion). */
export async function signOut (): Promise<void> {
  let next = '/connexion'
  try {
    const out = await api<{ endSessionUrl?: string } | undefined>('DELETE', '/api/session')
    if (out?.endSessionUrl !== undefined) next = out.endSessionUrl
  } finally { location.assign(next) }
}

/** The message of `?refus=<page>`, when the server sent this role back from another page. */
export function RefusalBanner () {
  // Read once: a page that rewrites its address afterwards (/bilan's period) keeps the message.
  const [refused] = useState(() => new URLSearchParams(location.search).get('refus'))
  if (refused === null) return null
  return <p class='banner banner-warn' role='alert'>{refusalMessage(refused)}</p>
}

export function Layout (props: { me: User | null, title: string, children: ComponentChildren }) {
  const { me } = props
  const links = me === null
    ? []
    : Object.values(PAGES).filter((p) => p.roles !== 'anyone' && (p.roles as readonly string[]).includes(me.role))
  return (
    <>
      <header class='topbar'>
        <a class='brand' href='/'>Créneaux</a>
        <nav aria-label='Pages'>
          {links.map((p) => <a key={p.path} href={p.path} aria-current={location.pathname === p.path ? 'page' : undefined}>{p.title}</a>)}
        </nav>
        {me !== null && (
          <div class='who'>
            <span class='who-name'>{me.name}<span class='who-role'> · {ROLE_FR[me.role]}</span></span>
            <button type='button' class='link' onClick={() => { void signOut() }}>Se déconnecter</button>
          </div>
        )}
      </header>
      <main id='main'>
        <h1>{props.title}</h1>
        <RefusalBanner />
        {props.children}
      </main>
    </>
  )
}

/** A labelled input with its error shown next to it and announced to screen readers. */
export function Field (props: { id: string, label: string, error?: string | undefined, hint?: string, children: ComponentChildren }) {
  return (
    <div class={'field' + (props.error !== undefined ? ' field-invalid' : '')}>
      <label for={props.id}>{props.label}</label>
      {props.children}
      {props.hint !== undefined && <small id={props.id + '-hint'} class='hint'>{props.hint}</small>}
      {props.error !== undefined && <small id={props.id + '-error'} class='error' role='alert'>{props.error}</small>}
    </div>
  )
}

