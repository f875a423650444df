import { render } from 'preact'
import { PAGES } from '../../shared/pages.js'
import { ComingSoon, Layout, useMe } from '../lib/ui.js'

function Page () {
  const me = useMe()
  return <Layout me={me} title={PAGES.regulation.title}><ComingSoon what='le tableau de régulation en direct' /></Layout>
}

render(<Page />, document.getElementById('app')!)
