// `npm run audit:verify`: checks the audit log's hash chain (docs/security.md) on the database of
// DATABASE_URL, else DATA_DIR; prints the first entry where it breaks and exits 1, or 0 when intact.
import { openDatabase } from '../db/open.js'
import { loadConfig } from '../server/config.js'
import { verifyAuditChain } from '../server/features/audit/audit-chain.js'

const db = openDatabase(loadConfig(process.env))
try {
  const r = await verifyAuditChain(db)
  if (r.ok) {
    // Record the head elsewhere (docs/security.md): a later head that does not extend it is a rewrite.
    const head = await db.selectFrom('audit_chain_head').select('hash').where('id', '=', 1).executeTakeFirst()
    console.log(`Audit log intact: ${r.entries} entries chained, head at seq ${r.headSeq}, hash ${head?.hash ?? '-'}.`)
  } else {
    console.log(`Audit log BROKEN at entry id ${r.brokenAt.id ?? '-'} (seq ${r.brokenAt.seq ?? '-'}, ${r.brokenAt.at ?? 'end of the log'}): ${r.reason}. ${r.entries} entries verified before it.`)
    process.exitCode = 1
  }
} finally {
  await db.destroy()
}
