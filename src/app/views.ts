/**
 * What the UI reads and calls: plain data assembled from documents and indexes, and the one
 * service interface the screens use. The UI never sees Yjs or Dexie.
 */
import type { Result } from '../lib/result';
import type {
  CtcId,
  Demographics,
  DeviceId,
  Entry,
  EntryId,
  Facility,
  FacilityCode,
  FieldIssue,
  IsoDate,
  IsoDateTime,
  LabResult,
  Language,
  PatientStatus,
  Role,
  StatusChange,
  User,
  Visit,
} from '../domain/types';
import type { AccessRecord } from '../crdt/access-log';
import type { DirectoryRow, PatientRow, StorageErrorCode, StorageUsage } from '../crdt/ports';

export type { DirectoryRow, PatientRow, StorageUsage };

export interface DeviceProfile {
  deviceId: DeviceId;
  facility: Facility;
  user: User;
  /** This device's serial block at its facility (1–99); see docs/decisions/0004-ctc-id-allocation.md. */
  deviceSlot: number;
  language: Language;
}

/**
 * The facility code a supervisor's profile carries: it belongs to no facility (its grant has
 * none), and no facility code starts with 00 (regions are numbered from 01).
 */
export const supervisorFacilityCode = '00000000' as FacilityCode;

export interface SupervisorSetupInput {
  userName: string;
  language: Language;
  /** What the supervisor oversees, shown in the header: a district's name, or the network's. */
  scopeName: string;
}

/** Raw form values for first-run setup; validated by the service. */
export interface DeviceSetupInput {
  facilityName: string;
  facilityCode: string;
  district: string;
  region: string;
  userName: string;
  role: Role | '';
  deviceSlot: string;
  language: Language;
}

export type SaveError =
  | { type: 'invalid'; issues: FieldIssue[] }
  | { type: 'storage'; code: StorageErrorCode }
  | { type: 'possible-duplicate'; matches: DirectoryRow[] }
  | { type: 'not-found' }
  /** A network action this device may not take, or an invite that does not fit it. */
  | { type: 'refused'; code: TrustProblem }
  /** Supervisors read everything and write nothing clinical. */
  | { type: 'not-permitted' }
  | { type: 'serials-exhausted' };

export type TrustProblem =
  | 'not-set-up'
  | 'already-in-network'
  | 'not-admin'
  | 'invite-other-facility'
  | 'invite-other-role'
  | 'invite-unreadable'
  | 'invite-expired'
  | 'not-a-member'
  /** MS18: the device named is not in the network's history. */
  | 'unknown-device'
  /** MS18: the device named was removed from the network. */
  | 'device-removed'
  | 'already-admin'
  | 'not-an-admin'
  /** MS18: no district is known for the device (its facility is not in the network yet). */
  | 'no-district';

export type SaveResult<T> = Result<T, SaveError>;

/**
 * An entry as shown in the history: with what replaced it, if anything, and `futureDated` when
 * it is dated after this device's today + 1 (shown as "date in the future"; it is kept, and
 * drives no follow-up).
 */
export type EntryView = Entry & {
  supersededBy: EntryId[];
  futureDated?: true;
  /**
   * Issue 8 point 5: the device whose signed change brought this entry (its signature was
   * verified before it was stored), and whether that is the device the entry's stamp names.
   * Absent for data that came unsigned.
   */
  signedBy?: { deviceId: DeviceId; matchesStamp: boolean };
};

export type AppointmentState = 'upcoming' | 'due_today' | 'overdue' | 'missed' | 'ltfu' | 'kept';

export type PatientFlag =
  | 'transferred_out'
  | 'died'
  | 'stopped'
  | 'appointment_missed'
  | 'ltfu'
  | 'tb_screen_positive'
  | 'duplicate_ctc_id'
  | 'record_incomplete';

export interface PatientView {
  ctcId: CtcId;
  primaryFacility: Facility | { code: string; name?: undefined };
  demographics: Demographics;
  status: PatientStatus;
  /** The effective status change (absent for a patient who was never changed from active). */
  statusChange?: StatusChange;
  flags: PatientFlag[];
  nextAppointment?: { date: IsoDate; state: AppointmentState };
  /** Entries not superseded, newest first by their clinical date. */
  visits: EntryView[];
  results: EntryView[];
  appointments: EntryView[];
  statusChanges: EntryView[];
  /** Tracing attempts and answered alerts (issue 10), not superseded: on the timeline too. */
  careEntries: EntryView[];
  /** Every entry, superseded or not, newest first by time written: the audit trail. */
  history: EntryView[];
  /** Names of the facilities this device knows, by code, for showing where entries were made. */
  facilityNames: Record<string, string>;
  /** AL3: who fetched this record from a device that held it, newest first. */
  access?: AccessRecord[];
  /**
   * WR12: whether this device may change the patient's details: only the registering facility
   * keeps who the patient is (a change from elsewhere would be refused by every peer).
   */
  demographicsEditable?: boolean;
}

export interface SearchHit {
  ctcId: CtcId;
  givenName: string;
  familyName: string;
  sex: 'female' | 'male';
  birthYear: number;
  facilityCode: string;
  status: PatientStatus;
  /** Whether this device holds the full record (or only the register summary). */
  held: boolean;
}

/**
 * One patient of a facility's register, as the district overview lists it: the register's
 * summary, and whether this device holds the full record (or must fetch it to open it).
 */
export interface RegisterRow {
  ctcId: CtcId;
  givenName: string;
  familyName: string;
  sex: 'female' | 'male';
  birthYear: number;
  status: PatientStatus;
  lastVisitDate?: IsoDate;
  lastVisitFacility?: string;
  held: boolean;
}

export interface ClinicListItem {
  row: PatientRow;
  state: AppointmentState;
  daysLate: number;
}

export interface ClinicList {
  dueToday: ClinicListItem[];
  overdue: ClinicListItem[];
  missed: ClinicListItem[];
  ltfu: ClinicListItem[];
}

/** Every write resolves only after it is durable on this device. */
export interface ClinicService {
  profile(): DeviceProfile | undefined;
  setupDevice(input: DeviceSetupInput): Promise<SaveResult<DeviceProfile>>;
  /**
   * MS15: a supervisor's device (opened from a supervisor invite): a name and a language, no
   * facility, no serial block; it writes nothing, so nothing is written at setup either.
   */
  setupSupervisor(input: SupervisorSetupInput): Promise<SaveResult<DeviceProfile>>;
  setLanguage(language: Language): Promise<void>;

  findPossibleDuplicates(
    input: Pick<Demographics, 'givenName' | 'familyName' | 'sex' | 'birthDate'>,
  ): Promise<DirectoryRow[]>;
  /** Raw form values; refuses a likely duplicate unless `acknowledgeDuplicate` is set. */
  registerPatient(
    input: Record<string, unknown>,
    options: { acknowledgeDuplicate: boolean },
  ): Promise<SaveResult<CtcId>>;
  search(query: string): Promise<SearchHit[]>;
  getPatient(ctcId: CtcId): Promise<PatientView | undefined>;
  /**
   * The district overview: the patients a facility's register lists (as far as this device
   * holds it), by family then given name.
   */
  facilityRegister(facilityCode: string): Promise<RegisterRow[]>;
  /**
   * The facilities the district overview shows, as the network document lists them (with their
   * district): for a supervisor those of its district (the scope its profile names), else all.
   */
  overviewFacilities(): Promise<Facility[]>;
  /** Calls back with a fresh view whenever the record changes (local or remote). */
  watchPatient(ctcId: CtcId, listener: (view: PatientView | undefined) => void): () => void;

  recordVisit(
    ctcId: CtcId,
    input: Record<string, unknown>,
    supersedes?: EntryId,
  ): Promise<SaveResult<EntryId>>;
  recordResult(
    ctcId: CtcId,
    input: Record<string, unknown>,
    supersedes?: EntryId,
  ): Promise<SaveResult<EntryId>>;
  scheduleAppointment(
    ctcId: CtcId,
    input: Record<string, unknown>,
    supersedes?: EntryId,
  ): Promise<SaveResult<EntryId>>;
  editDemographics(
    ctcId: CtcId,
    input: Record<string, unknown>,
  ): Promise<SaveResult<EntryId | null>>;
  changeStatus(ctcId: CtcId, input: Record<string, unknown>): Promise<SaveResult<EntryId>>;

  clinicList(today: IsoDate): Promise<ClinicList>;
  storageUsage(): Promise<StorageUsage>;
  requestPersistentStorage(): Promise<boolean>;
  /** Any stored document changed; lists and search results should refresh. */
  onChange(listener: () => void): () => void;
  /**
   * Re-add to this facility's register any record of ours it lacks (its summary write failed
   * after the record was saved). Returns how many were repaired.
   */
  repairRegister(): Promise<number>;
}

export type { Visit, LabResult, StatusChange };

/** Raw values of the network settings form. */
export interface NetworkSettingsInput {
  networkName: string;
  secret: string;
  /** One or more ws:// or wss:// URLs, separated by spaces, commas or new lines. */
  signalingUrls: string;
  /** Optional STUN/TURN URLs, separated like the signaling URLs. */
  iceUrls: string;
  iceUsername: string;
  iceCredential: string;
  /** Keep a copy of every record (an always-on relay device). */
  relay?: boolean;
}

export interface NetworkSettings {
  networkName: string;
  secret: string;
  signalingUrls: string[];
  iceServers: Array<{ urls: string[]; username?: string; credential?: string }>;
  relay: boolean;
}

export type SignalingState = 'off' | 'connecting' | 'connected' | 'offline' | 'backing-off';

export interface PeerView {
  deviceId: string;
  facilityCode: string;
  facilityName?: string;
  /** Another tab of this same device (synced over BroadcastChannel, not the network). */
  sameDevice: boolean;
  relay: boolean;
  connected: boolean;
  lastReceivedAt?: IsoDateTime;
  pendingToSend: number;
  behind: number;
}

export interface FacilityView {
  code: string;
  name?: string;
  connected: boolean;
  /**
   * When data written at this facility last arrived here, carried by any device (survives
   * restarts): the facility's "data as of".
   */
  lastReceivedAt?: IsoDateTime;
  devices: number;
  pendingToSend: number;
  behind: number;
}

/** W10: this device's clock is far from its peers' (the median of their offsets). */
export interface ClockWarning {
  /** How far the peers' clocks are ahead of ours (negative: ours is ahead), in milliseconds. */
  peersAheadByMs: number;
  /** How many connected devices the median is taken over. */
  peers: number;
}

/** W13: one update a peer sent that this device refused (the sync log), newest first. */
export interface RefusalView {
  at: IsoDateTime;
  /** The device that sent it, when known, and its facility. */
  deviceId?: string;
  facilityCode?: string;
  facilityName?: string;
  docId: string;
  /** A `RefusalReason`; the screen shows an unknown one in general words. */
  reason: string;
  detail: string;
}

export interface NetworkView {
  joined: boolean;
  networkName?: string;
  /** The app-level switch: off tears every connection down (the device works alone). */
  syncEnabled: boolean;
  signaling: SignalingState;
  /** Open RTCPeerConnections: one per connected remote device. */
  peerConnections: number;
  peers: PeerView[];
  facilities: FacilityView[];
  /**
   * W11: a peer's update (or a save) could not be stored for lack of space; cleared by itself
   * once a write works again.
   */
  storageFull: boolean;
  clockWarning?: ClockWarning;
  trust: TrustView;
  /** The most recent refused updates, newest first (at most `shownRefusals`). */
  refusals: RefusalView[];
}

/** This device's place in its network's membership (issue 8; protocol.md §22). */
export type TrustView =
  | { kind: 'none' }
  /** Redeemed an invite; waits to meet an enrolled device that admits it. */
  | { kind: 'joining'; networkName: string }
  | { kind: 'member'; networkName: string; admin: boolean; role: InviteRole }
  /** An admin removed this device: it syncs no more. Its records stay here. */
  | { kind: 'revoked'; networkName: string };

export type InviteRole = 'clinician' | 'relay' | 'supervisor';

/** One device of the network, as its membership history says. */
export interface MemberView {
  deviceId: string;
  role: InviteRole;
  facilityCode?: string;
  facilityName?: string;
  slot?: number;
  admin: boolean;
  /** MS18: what its admin rights cover, when it has any. */
  adminScope?: { kind: 'network' } | { kind: 'district'; district: string };
  revoked: boolean;
  self: boolean;
}

/** MS18: the rights an admin gives: the whole network, or the target device's district. */
export type AdminScopeKind = 'network' | 'district';

/** Raw form values for a new network (the secret is generated, never typed). */
export interface CreateNetworkInput {
  networkName: string;
  signalingUrls: string;
  iceUrls: string;
  iceUsername: string;
  iceCredential: string;
}

/** Raw form values for an invite of a facility device or a relay. */
export interface InviteInput {
  role: InviteRole;
  facilityCode: string;
  facilityName: string;
  district: string;
  region: string;
  deviceSlot: string;
  /** A supervisor's district; empty for the whole network. */
  scopeDistrict: string;
  validDays: string;
  uses: string;
}

export interface CreatedInvite {
  link: string;
  /** The same link as a QR code (SVG markup, made by a library, safe to insert). */
  qrSvg: string;
  expiresAt: IsoDateTime;
}

/** What an opened or scanned invite says, for the join screen. */
export interface InviteSummary {
  networkName: string;
  role: InviteRole;
  facilityCode?: string;
  facilityName?: string;
  district?: string;
  region?: string;
  slot?: number;
  expiresAt: IsoDateTime;
}

export type InviteProblem = 'not-an-invite' | 'malformed' | 'unsupported-version' | 'expired';

export type RecordRequestOutcome = 'received' | 'not-found' | 'no-peers' | 'timeout' | 'not-joined';

export interface NetworkService {
  settings(): NetworkSettings | undefined;
  defaultSignalingUrls(): string[];
  saveSettings(input: NetworkSettingsInput): Promise<SaveResult<NetworkSettings>>;
  leave(): Promise<void>;
  status(): NetworkView;
  onStatus(listener: (view: NetworkView) => void): () => void;
  setSyncEnabled(enabled: boolean): void;
  /** Ask connected devices for a record this device does not hold. */
  requestRecord(ctcId: CtcId): Promise<RecordRequestOutcome>;

  /** MS7: this device starts a network and becomes its first admin (needs a profile). */
  createNetwork(input: CreateNetworkInput): Promise<SaveResult<NetworkSettings>>;
  /** Reads an invite link (opened or scanned) without acting on it. */
  readInvite(link: string): Result<InviteSummary, InviteProblem>;
  /** The invite the app was opened with (its secret already gone from the address bar). */
  openedInvite(): string | undefined;
  /** I10: an invite link opened while the app already runs (taken from the address bar). */
  setOpenedInvite(link: string): void;
  /** MS8: joins with the invite of `link`; the device must be set up for its facility. */
  joinWithInvite(link: string): Promise<SaveResult<NetworkSettings>>;
  members(): MemberView[];
  /** The first serial block no device of `facilityCode` holds (1 when none). */
  nextFreeSlot(facilityCode: string): number;
  createInvite(input: InviteInput): Promise<SaveResult<CreatedInvite>>;
  revoke(deviceId: string): Promise<SaveResult<void>>;
  /** MS18: makes an enrolled device an admin of the network or of its district. */
  grantAdmin(deviceId: string, scope: AdminScopeKind): Promise<SaveResult<void>>;
  /** MS18: takes an admin's rights back. */
  withdrawAdmin(deviceId: string): Promise<SaveResult<void>>;
}
