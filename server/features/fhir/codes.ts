/**
 * Canonical URLs, code systems and codes of the ANS SAS guide (`ans.fhir.fr.sas` 1.2.0, see
 * /work/shared/fhir-sas.md §3–§6). The guide uses two URL families on purpose: keep them as is.
 */

const SAS = 'http://sas.fr/fhir/StructureDefinition'
const SAS_IG = 'https://interop.esante.gouv.fr/ig/fhir/sas'

export const PROFILE = {
  bundle: `${SAS}/BundleAgregateur`,
  bundleCpts: `${SAS_IG}/StructureDefinition/sas-cpts-bundle-aggregator`,
  slot: `${SAS}/FrSlotAgregateur`,
  slotCpts: `${SAS_IG}/StructureDefinition/sas-cpts-slot-aggregator`,
  schedule: `${SAS}/FrScheduleAgregateur`,
  practitioner: `${SAS}/FrPractitionerAgregateur`,
  practitionerRole: `${SAS}/FrPractitionerRoleExerciceAgregateur`,
  location: `${SAS}/FrLocationAgregateur`,
  healthcareService: `${SAS_IG}/StructureDefinition/sas-cpts-healthcareservice-aggregator`,
  organization: `${SAS_IG}/StructureDefinition/sas-cpts-organization-aggregator`
} as const

export const SEARCH_PARAMETER = {
  start: `${SAS_IG}/SearchParameter/slot-sp-start`,
  serviceTypeReference: `${SAS_IG}/SearchParameter/cptsslot-sp-servicetype`
} as const

export const SYSTEM = {
  /** TRE_R314: who may see a slot (`meta.security`). */
  slotAudience: 'https://mos.esante.gouv.fr/NOS/TRE_R314-TypeCreneau/FHIR/TRE-R314-TypeCreneau',
  actCode: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
  /** TRE_R38: the practitioner's specialty (`Slot.specialty`). */
  specialty: 'https://mos.esante.gouv.fr/NOS/TRE_R38-SpecialiteOrdinale/FHIR/TRE-R38-SpecialiteOrdinale',
  appointmentType: 'http://terminology.hl7.org/CodeSystem/v2-0276',
  /** TRE_R66: category of the CPTS (`604`) in the CPTS `serviceType` entry. */
  establishmentCategory: 'https://mos.esante.gouv.fr/NOS/TRE_R66-CategorieEtablissement/FHIR/TRE-R66-CategorieEtablissement',
  /** Identifier type of Practitioner (IDNPS). */
  frV20203: 'http://interopsante.org/fhir/CodeSystem/fr-v2-0203',
  /** The same table as the CPTS Organization profile's pattern spells it. */
  frCoreV20203: 'https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-0203',
  locationIdentifierType: 'http://interopsante.org/fhir/CodeSystem/fr-location-identifier-type',
  /** IdNat_PS: "8" + RPPS or "0" + ADELI. */
  idNatPs: 'urn:oid:1.2.250.1.71.4.2.1',
  /** IdNat_Struct: "1" + FINESS, "3" + SIRET, "4" + RPPS rang. */
  idNatStruct: 'urn:oid:1.2.250.1.71.4.2.2'
} as const

/** The R5 backport extension that carries the CPTS's HealthcareService in `Slot.serviceType`. */
export const SERVICE_TYPE_REFERENCE_EXTENSION = 'http://hl7.org/fhir/5.0/StructureDefinition/extension-Slot.serviceType'

/** TRE_R38 codes: general practice, psychiatry. */
export const SPECIALTY_CODE = { snp: 'SM54', psy: 'SM42' } as const

/** v3-ActCode of the type of consultation: office, teleconsultation, home visit. */
export const MODE_CODE = { office: 'AMB', video: 'VR', home: 'HH' } as const

/** TRE_R66: "Communauté professionnelle territoriale de santé (CPTS)". */
export const CPTS_CATEGORY_CODE = '604'

export const FHIR_JSON = 'application/fhir+json; charset=utf-8'
export const FHIR_NDJSON = 'application/fhir+ndjson; charset=utf-8'
