import { render } from 'preact'
import { PAGES } from '../../shared/pages.js'
import { ComingSoon, Layout, useMe } from '../lib/ui.js'

function Page () {
  const me = useMe()
  return <Layout me={me} title={PAGES.praticien.title}><ComingSoon what='la publication de vos créneaux' /></Layout>
}

render(<Page />, document.getElementById('app')!)
