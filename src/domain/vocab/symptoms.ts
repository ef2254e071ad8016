import type { VocabItem } from './label';

/** Common symptom codes; anything else goes in the visit's free-text `otherSymptoms`. */
export const symptoms: VocabItem[] = [
  { code: 'cough', label: { en: 'Cough', sw: 'Kikohozi' } },
  { code: 'fever', label: { en: 'Fever', sw: 'Homa' } },
  { code: 'weight_loss', label: { en: 'Weight loss', sw: 'Kupungua uzito' } },
  { code: 'night_sweats', label: { en: 'Night sweats', sw: 'Kutokwa jasho usiku' } },
  { code: 'diarrhoea', label: { en: 'Diarrhoea', sw: 'Kuharisha' } },
  { code: 'rash', label: { en: 'Skin rash', sw: 'Vipele / upele' } },
  { code: 'headache', label: { en: 'Headache', sw: 'Maumivu ya kichwa' } },
  { code: 'fatigue', label: { en: 'Fatigue', sw: 'Uchovu' } },
  { code: 'nausea_vomiting', label: { en: 'Nausea / vomiting', sw: 'Kichefuchefu / kutapika' } },
  { code: 'abdominal_pain', label: { en: 'Abdominal pain', sw: 'Maumivu ya tumbo' } },
  { code: 'shortness_of_breath', label: { en: 'Shortness of breath', sw: 'Kupumua kwa shida' } },
  { code: 'oral_thrush', label: { en: 'Oral thrush', sw: 'Utando mweupe mdomoni' } },
  {
    code: 'difficulty_swallowing',
    label: { en: 'Difficulty swallowing', sw: 'Kumeza kwa shida' },
  },
  {
    code: 'genital_sores',
    label: { en: 'Genital sores / discharge', sw: 'Vidonda / uchafu sehemu za siri' },
  },
  {
    code: 'numbness',
    label: { en: 'Numbness / tingling of feet or hands', sw: 'Ganzi miguuni au mikononi' },
  },
  { code: 'jaundice', label: { en: 'Jaundice (yellow eyes)', sw: 'Manjano machoni' } },
  { code: 'swollen_glands', label: { en: 'Swollen glands', sw: 'Kuvimba tezi' } },
  { code: 'confusion', label: { en: 'Confusion', sw: 'Kuchanganyikiwa' } },
  { code: 'dizziness', label: { en: 'Dizziness', sw: 'Kizunguzungu' } },
];
