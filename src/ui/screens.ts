/**
 * Screens other than the first (search) are their own chunks, fetched when shown.
 */
import type { ScreenLoader } from './lazy-screen';

// The first screen (search) is in the entry chunk; every other screen is fetched when shown.
const setupScreen: ScreenLoader = () => import('./screens/Setup.svelte');
const registerScreen: ScreenLoader = () => import('./screens/Register.svelte');
const patientScreen: ScreenLoader = () => import('./screens/Patient.svelte');
const visitformScreen: ScreenLoader = () => import('./screens/VisitForm.svelte');
const resultformScreen: ScreenLoader = () => import('./screens/ResultForm.svelte');
const appointmentformScreen: ScreenLoader = () => import('./screens/AppointmentForm.svelte');
const editdemographicsScreen: ScreenLoader = () => import('./screens/EditDemographics.svelte');
const statusformScreen: ScreenLoader = () => import('./screens/StatusForm.svelte');
const cliniclistScreen: ScreenLoader = () => import('./screens/ClinicList.svelte');
const settingsScreen: ScreenLoader = () => import('./screens/Settings.svelte');
const networkScreen: ScreenLoader = () => import('./screens/Network.svelte');
const districtScreen: ScreenLoader = () => import('./screens/District.svelte');
const joinScreen: ScreenLoader = () => import('./screens/Join.svelte');
const notfoundScreen: ScreenLoader = () => import('./screens/NotFound.svelte');

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
  Join: joinScreen,
  NotFound: notfoundScreen,
};
