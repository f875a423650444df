import type { Migration } from 'kysely'
import * as m0001 from './0001_accounts.js'
import * as m0002 from './0002_slots.js'
import * as m0003 from './0003_report_columns.js'
import * as m0004 from './0004_feed_tokens.js'
import * as m0005 from './0005_deliveries.js'
import * as m0006 from './0006_fhir.js'
import * as m0007 from './0007_regulator_sas_id.js'
import * as m0008 from './0008_audit_purge.js'
import * as m0009 from './0009_slot_series.js'
import * as m0010 from './0010_rate_limits.js'
import * as m0011 from './0011_delivery_claims.js'
import * as m0012 from './0012_report_rollups.js'
import * as m0013 from './0013_password_resets.js'
import * as m0014 from './0014_users_idnps.js'
import * as m0015 from './0015_event_booking.js'
import * as m0016 from './0016_audit_chain.js'
import * as m0017 from './0017_psc.js'
import * as m0018 from './0018_sas_formats.js'
import * as m0019 from './0019_places.js'
import * as m0020 from './0020_offer_rollups.js'
import * as m0021 from './0021_waiting_list.js'
import * as m0022 from './0022_rollup_deltas.js'
import * as m0023 from './0023_season_import_runs.js'
import * as m0024 from './0024_place_revision.js'

/** Every migration, by a name that sorts in the order they run. */
export const migrations: Record<string, Migration> = {
  '0001_accounts': m0001,
  '0002_slots': m0002,
  '0003_report_columns': m0003,
  '0004_feed_tokens': m0004,
  '0005_deliveries': m0005,
  '0006_fhir': m0006,
  '0007_regulator_sas_id': m0007,
  '0008_audit_purge': m0008,
  '0009_slot_series': m0009,
  '0010_rate_limits': m0010,
  '0011_delivery_claims': m0011,
  '0012_report_rollups': m0012,
  '0013_password_resets': m0013,
  '0014_users_idnps': m0014,
  '0015_event_booking': m0015,
  '0016_audit_chain': m0016,
  '0017_psc': m0017,
  '0018_sas_formats': m0018,
  '0019_places': m0019,
  '0020_offer_rollups': m0020,
  '0021_waiting_list': m0021,
  '0022_rollup_deltas': m0022,
  '0023_season_import_runs': m0023,
  '0024_place_revision': m0024
}
