/**
 * Screens other than the first (search) are their own chunks, fetched when shown.
 */
import { loadScreenMessages } from './i18n/i18n.svelte';
import type { ScreenLoader } from './lazy-screen';

/** A screen that shows follow-up, report or chart strings arrives with them (en-screens.ts). */
const withScreenMessages =
  (load: ScreenLoader): ScreenLoader =>
  () =>
    Promise.all([load(), loadScreenMessages()]).then(([screen]) => screen);

// The first screen (search) is in the entry chunk; every other screen is fetched when shown.
const setupScreen: ScreenLoader = () => import('./screens/Setup.svelte');
const registerScreen: ScreenLoader = () => import('./screens/Register.svelte');
const patientScreen: ScreenLoader = withScreenMessages(() => import('./screens/Patient.svelte'));
const visitformScreen: ScreenLoader = () => import('./screens/VisitForm.svelte');
const resultformScreen: ScreenLoader = () => import('./screens/ResultForm.svelte');
const appointmentformScreen: ScreenLoader = () => import('./screens/AppointmentForm.svelte');
const editdemographicsScreen: ScreenLoader = () => import('./screens/EditDemographics.svelte');
const statusformScreen: ScreenLoader = () => import('./screens/StatusForm.svelte');
const cliniclistScreen: ScreenLoader = () => import('./screens/ClinicList.svelte');
const settingsScreen: ScreenLoader = withScreenMessages(() => import('./screens/Settings.svelte'));
const networkScreen: ScreenLoader = () => import('./screens/Network.svelte');
const districtScreen: ScreenLoader = withScreenMessages(() => import('./screens/District.svelte'));
const reportScreen: ScreenLoader = withScreenMessages(() => import('./screens/Report.svelte'));
const joinScreen: ScreenLoader = () => import('./screens/Join.svelte');
const notfoundScreen: ScreenLoader = () => import('./screens/NotFound.svelte');
const followupScreen: ScreenLoader = withScreenMessages(() => import('./screens/FollowUp.svelte'));
const tracingformScreen: ScreenLoader = withScreenMessages(
  () => import('./screens/TracingForm.svelte'),
);

/** Every screen's loader, as App renders it (stable, so a fetched screen is reused). */
export const screens = {
  Setup: setupScreen,
  Register: registerScreen,
  Patient: patientScreen,
  VisitForm: visitformScreen,
  ResultForm: resultformScreen,
  AppointmentForm: appointmentformScreen,
  EditDemographics: editdemographicsScreen,
  StatusForm: statusformScreen,
  ClinicList: cliniclistScreen,
  Settings: settingsScreen,
  Network: networkScreen,
  District: districtScreen,
  Report: reportScreen,
  Join: joinScreen,
  NotFound: notfoundScreen,
  FollowUp: followupScreen,
  TracingForm: tracingformScreen,
};
