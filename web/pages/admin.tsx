import { render } from 'preact'
import { PAGES } from '../../shared/pages.js'
import { ComingSoon, Layout, useMe } from '../lib/ui.js'

function Page () {
  const me = useMe()
  return <Layout me={me} title={PAGES.admin.title}><ComingSoon what="l'administration des territoires et des comptes" /></Layout>
}

render(<Page />, document.getElementById('app')!)
