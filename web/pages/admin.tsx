import { render } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import { PAGES } from '../../shared/pages.js'
import type { Cpts, User } from '../../shared/schemas/accounts.js'
import { CptsSection } from '../components/admin-cpts.js'
import { ImportSection } from '../components/admin-import.js'
import { UsersSection } from '../components/admin-users.js'
import { api, ApiError } from '../lib/api.js'
import { Layout, useMe } from '../lib/ui.js'

/** The CPTS coordinator's page: territories, accounts and the season import. */
function Page () {
  const me = useMe()
  const [cpts, setCpts] = useState<Cpts[] | null>(null)
  const [users, setUsers] = useState<User[] | null>(null)
  const [loadError, setLoadError] = useState<string | null>(null)

  async function load (): Promise<void> {
    try {
      const [c, u] = await Promise.all([api<Cpts[]>('GET', '/api/cpts'), api<User[]>('GET', '/api/users')])
      setCpts(c)
      setUsers(u)
      setLoadError(null)
    } catch (err) {
      setLoadError(err instanceof ApiError ? err.french : 'Serveur injoignable. Vérifiez la connexion puis rechargez la page.')
    }
  }

  useEffect(() => { if (me !== null) void load() }, [me])

  return (
    <Layout me={me} title={PAGES.admin.title}>
      <nav class='admin-nav' aria-label='Sections de la page'>
        <a href='#territoires'>Territoires</a>
        <a href='#comptes'>Comptes</a>
        <a href='#import'>Import de saison</a>
      </nav>
      {loadError !== null && (
        <p class='banner banner-error' role='alert'>
          {loadError}{' '}
          <button type='button' class='link' onClick={() => { void load() }}>Réessayer</button>
        </p>
      )}
      <CptsSection cpts={cpts} onCreated={() => { void load() }} />
      <UsersSection users={users} cpts={cpts} me={me} onCreated={() => { void load() }} onChanged={() => { void load() }} />
      <ImportSection />
    </Layout>
  )
}

render(<Page />, document.getElementById('app')!)
