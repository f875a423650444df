/**
 * The profiles the SAS platform's search reads in `meta.profile` (IG 1.1.0 aggregator profiles,
 * and the CPTS option's), written as the guide and the certification kit spell them: the tests
 * check our output against these, never against the server's own constants.
 */
export const PROFILES = {
  bundle: 'http://sas.fr/fhir/StructureDefinition/BundleAgregateur',
  bundleCpts: 'https://interop.esante.gouv.fr/ig/fhir/sas/StructureDefinition/sas-cpts-bundle-aggregator',
  slot: 'http://sas.fr/fhir/StructureDefinition/FrSlotAgregateur',
  slotCpts: 'https://interop.esante.gouv.fr/ig/fhir/sas/StructureDefinition/sas-cpts-slot-aggregator',
  schedule: 'http://sas.fr/fhir/StructureDefinition/FrScheduleAgregateur',
  practitioner: 'http://sas.fr/fhir/StructureDefinition/FrPractitionerAgregateur',
  practitionerRole: 'http://sas.fr/fhir/StructureDefinition/FrPractitionerRoleExerciceAgregateur',
  location: 'http://sas.fr/fhir/StructureDefinition/FrLocationAgregateur',
  healthcareService: 'https://interop.esante.gouv.fr/ig/fhir/sas/StructureDefinition/sas-cpts-healthcareservice-aggregator',
  organization: 'https://interop.esante.gouv.fr/ig/fhir/sas/StructureDefinition/sas-cpts-organization-aggregator'
} as const
