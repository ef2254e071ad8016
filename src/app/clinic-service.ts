/**
 * The clinic service: every use case the screens call, over the document repository and the
 * storage indexes. Validation happens here, before anything is written; every write resolves
 * only once it is durable.
 */
import { readAccessLog } from '../crdt/access-log';
import type { Clock } from '../lib/deps';
import { err, ok } from '../lib/result';
import type {
  CtcId,
  Demographics,
  DeviceId,
  Entry,
  EntryId,
  EntryKind,
  FacilityCode,
  FieldIssue,
  IsoDate,
  IsoDateTime,
  Language,
  Stamp,
  UserId,
} from '../domain/types';
import { isLikelySamePerson } from '../domain/duplicates';
import { facilityOfCtcId, nextFreeCtcId, parseDeviceSlot } from '../domain/ctc-id';
import { appointmentState, daysBetween, todayIso } from '../domain/follow-up';
import { validateAppointment } from '../domain/schemas/appointment';
import { validateDemographics } from '../domain/schemas/demographics';
import { validateFacility, validateUser } from '../domain/schemas/facility';
import { validateLabResult } from '../domain/schemas/lab-result';
import { validateStatusChange } from '../domain/schemas/status-change';
import { validateVisit } from '../domain/schemas/visit';
import type { DocChange } from '../crdt/repository';
import { ctcIdOfDoc, networkDocId, patientDocId, registerDocId, type DocId } from '../crdt/doc-id';
import {
  appendEntry,
  deriveLastVisit,
  editDemographics,
  initPatientDoc,
  projectPatientRow,
  readPatient,
  type DerivedLastVisit,
} from '../crdt/patient-doc';
import { hasSummary, initRegisterDoc, setLastVisit, upsertSummary } from '../crdt/register-doc';
import {
  initNetworkDoc,
  putDevice,
  putFacility,
  putUser,
  readFacilities,
  readFollowUpPolicy,
} from '../crdt/network-doc';
import { StorageError, type DocumentStore, type PatientQueries } from '../crdt/ports';
import type { DocumentRepository } from '../crdt/repository';
import type { ReadScope } from '../crdt/trust/types';
import type { IdSource } from './ids';
import { coalesce } from './change-coalescer';
import { entrySigners } from './entry-signatures';
import { buildPatientView } from './patient-view';
import { searchClinic } from './patient-search';
import type {
  ClinicList,
  ClinicListItem,
  ClinicService,
  DeviceProfile,
  DeviceSetupInput,
  EntryView,
  RegisterRow,
  SaveError,
  SaveResult,
} from './views';
import { supervisorFacilityCode } from './views';
import type { StorageUsage } from '../crdt/ports';

export const profileKey = 'device-profile';
export const serialCounterKey = 'ctc-serial-counter';

export type ExclusiveLock = <T>(name: string, run: () => Promise<T>) => Promise<T>;

export interface ClinicServiceDeps {
  repo: DocumentRepository;
  store: DocumentStore & PatientQueries;
  clock: Clock;
  ids: IdSource;
  storage: { usage(): Promise<StorageUsage>; requestPersistence(): Promise<boolean> };
  /** The profile saved on this device, if it was set up before. */
  profile?: DeviceProfile;
  /**
   * Runs `run` while holding the named lock across every tab of this device (Web Locks in the
   * browser); defaults to one-at-a-time within this process.
   */
  lock?: ExclusiveLock;
  /**
   * Told of every storage failure of a clinical write, so the device can say it is full where
   * sync shows its state too.
   */
  onStorageFailure?: (error: StorageError) => void;
  /** The id this device is known by in its network: its key's (issue 8, K11). */
  deviceId?: DeviceId;
  /** WR2: this device carries records for others (a relay) and makes no clinical change. */
  writesNothing?: () => boolean;
  /** MS15: the read scope the membership grants this device (a supervisor), once enrolled. */
  readScope?: () => ReadScope | undefined;
  /** Called once the device is set up, so replication can start as this device. */
  onProfileReady?: (profile: DeviceProfile) => Promise<void>;
}

/** Map a thrown storage failure to data the form can show; anything else is a bug and rethrown. */
function storageFailure(error: unknown): SaveError {
  if (error instanceof StorageError) return { type: 'storage', code: error.code };
  throw error;
}

/** Issue 8 point 5: the verified signer of an entry, beside what its stamp says. */
function signEntry(entry: EntryView, signers: ReadonlyMap<string, DeviceId>): void {
  const deviceId = signers.get(entry.id);
  if (deviceId) entry.signedBy = { deviceId, matchesStamp: deviceId === entry.stamp.deviceId };
}

/**
 * What the care service (care-service.ts) writes through: the same guard and the same append
 * path as a visit, so a tracing attempt or an alert answer is stamped, signed and stored the
 * way every clinical entry is.
 */
export interface ClinicWrites {
  writer(): SaveResult<DeviceProfile>;
  appendClinicalEntry<K extends EntryKind>(
    ctcId: CtcId,
    kind: K,
    data: Entry<K>['data'],
    supersedes: EntryId | undefined,
    p: DeviceProfile,
  ): Promise<SaveResult<EntryId>>;
}

export function createClinicService(deps: ClinicServiceDeps): ClinicService {
  return createClinicCore(deps).service;
}

export function createClinicCore(deps: ClinicServiceDeps): {
  service: ClinicService;
  writes: ClinicWrites;
} {
  /** A storage failure becomes data for the form, and the device hears of it. */
  const failed = (error: unknown): SaveError => {
    if (error instanceof StorageError) deps.onStorageFailure?.(error);
    return storageFailure(error);
  };

  const { repo, store, clock, ids } = deps;
  let profile = deps.profile;
  const changeListeners = new Set<() => void>();
  // SR1: a catch-up stores documents by the hundred; the lists refresh once a window, not per one.
  const changed = coalesce(() => {
    for (const listener of changeListeners) listener();
  });
  repo.onDocChanged(() => changed.notify());

  const today = (): IsoDate => todayIso(clock);
  const now = (): IsoDateTime => new Date(clock.now()).toISOString() as IsoDateTime;

  function stamp(p: DeviceProfile): Stamp {
    return stampOf(p, now());
  }

  /** Guards shared by every clinical write. */
  function writer(): SaveResult<DeviceProfile> {
    if (!profile) return err({ type: 'not-found' });
    if (profile.user.role === 'supervisor') return err({ type: 'not-permitted' });
    // WR2: a relay's clinical writes would be refused by every peer; they are not made at all.
    if (deps.writesNothing?.()) return err({ type: 'not-permitted' });
    return ok(profile);
  }

  async function followUpPolicy() {
    return readFollowUpPolicy(await repo.get(networkDocId));
  }

  async function nextSerial(
    p: DeviceProfile,
  ): Promise<SaveResult<{ ctcId: CtcId; counter: number }>> {
    // The next serial after the stored counter that nobody holds: not a record stored here, not
    // a summary in the register. "Highest seen + 1" would let one planted summary at the top of
    // the block exhaust it (§15 U37); a lost counter starts from the first free serial (U38).
    // Each candidate is looked up alone: reading the facility's whole directory made every
    // registration cost the size of the register (issue 9).
    const stored = (await store.getMeta<number>(serialCounterKey)) ?? 0;
    const next = await nextFreeCtcId(
      p.facility.code,
      p.deviceSlot,
      stored,
      async (ctcId) =>
        (await store.getDirectoryRow(ctcId)) !== undefined ||
        (await repo.isStored(patientDocId(ctcId))),
    );
    return next.ok ? ok(next.value) : err({ type: 'serials-exhausted' });
  }

  async function patientContext(ctcId: CtcId) {
    const docId = patientDocId(ctcId);
    const held = await repo.isStored(docId);
    const demographics = held ? readPatient(await repo.get(docId)).demographics : undefined;
    // The directory row only stands in for a record not held here (issue 9: one read less in
    // every save of a held patient).
    const directory = demographics ? undefined : await store.getDirectoryRow(ctcId);
    return { docId, held, demographics, directory };
  }

  /** Keep the register's summary in step with a record change, when the register lists it. */
  async function touchRegister(
    ctcId: CtcId,
    summary: Parameters<typeof upsertSummary>[1],
    lastVisit?: DerivedLastVisit,
  ) {
    const registerId = registerDocId(facilityOfCtcId(ctcId));
    const register = await repo.get(registerId);
    if (!hasSummary(register, ctcId)) return;
    await repo.write(registerId, (doc) => {
      upsertSummary(doc, summary);
      if (lastVisit) setLastVisit(doc, ctcId, lastVisit);
    });
  }

  /**
   * Appends an entry to a record. With `summarise`, the register summary the entry changes
   * (status, last visit) is stored in the same transaction (D5): one commit per save, not two
   * (issue 9), and the summary never lags the record it summarises. The status is the row's
   * (W4: no future entry counts); the last visit is derived from the entries (W5), so a
   * correction to an earlier date moves it back.
   */
  async function appendClinicalEntry<K extends EntryKind>(
    ctcId: CtcId,
    kind: K,
    data: Entry<K>['data'],
    supersedes: EntryId | undefined,
    p: DeviceProfile,
    summarise = false,
  ): Promise<SaveResult<EntryId>> {
    const entry = {
      id: ids.next() as EntryId,
      kind,
      stamp: stamp(p),
      data,
      ...(supersedes ? { supersedes } : {}),
    } as Entry<K>;
    const patientId = patientDocId(ctcId);
    try {
      const registerId = registerDocId(facilityOfCtcId(ctcId));
      const listed = summarise && hasSummary(await repo.get(registerId), ctcId);
      let record: ReturnType<typeof readPatient> | undefined;
      await repo.writeMany([
        {
          docId: patientId,
          mutate: (doc) => {
            appendEntry(doc, entry);
            if (listed) record = readPatient(doc);
          },
        },
        ...(listed
          ? [
              {
                docId: registerId,
                mutate: (doc: Parameters<DocChange['mutate']>[0]) => {
                  const row = record && projectPatientRow(record, now());
                  if (!record || !row) return;
                  upsertSummary(doc, { ctcId, status: row.status });
                  setLastVisit(doc, ctcId, deriveLastVisit(record, today()));
                },
              },
            ]
          : []),
      ]);
    } catch (error) {
      return err(failed(error));
    }
    return ok(entry.id);
  }

  let inProcess: Promise<unknown> = Promise.resolve();
  const exclusive: ExclusiveLock =
    deps.lock ??
    (<T>(_name: string, run: () => Promise<T>): Promise<T> => {
      const next = inProcess.then(run, run);
      inProcess = next.then(
        () => undefined,
        () => undefined,
      );
      return next;
    });

  async function allocateAndWrite(
    p: DeviceProfile,
    demographics: Demographics,
  ): Promise<SaveResult<CtcId>> {
    const serial = await nextSerial(p);
    if (!serial.ok) return serial;
    const { ctcId, counter } = serial.value;
    const registration = stamp(p);
    const entryId = ids.next() as EntryId;
    try {
      // D5: the record, its register summary and the serial counter are one transaction, so
      // after a kill at any moment the patient is either findable everywhere or not saved.
      await repo.writeMany(
        [
          {
            docId: patientDocId(ctcId),
            mutate: (doc) =>
              initPatientDoc(doc, {
                ctcId,
                primaryFacility: p.facility.code,
                demographics,
                stamp: registration,
                entryId,
              }),
          },
          {
            docId: registerDocId(p.facility.code),
            mutate: (doc) => {
              initRegisterDoc(doc, p.facility.code);
              upsertSummary(doc, summaryOf(ctcId, demographics, registration.at));
            },
          },
        ],
        { meta: [{ key: serialCounterKey, value: counter }] },
      );
    } catch (error) {
      return err(failed(error));
    }
    return ok(ctcId);
  }

  const service: ClinicService = {
    profile: () => profile,

    async setupDevice(input: DeviceSetupInput) {
      const rename = (issues: FieldIssue[], names: Record<string, string>) =>
        issues.map((issue) => ({ ...issue, field: names[issue.field] ?? issue.field }));
      const facility = validateFacility({
        name: input.facilityName,
        code: input.facilityCode,
        district: input.district,
        region: input.region,
      });
      const user = validateUser({ name: input.userName, role: input.role });
      const slot = parseDeviceSlot(input.deviceSlot);
      const issues = [
        ...(facility.ok
          ? []
          : rename(facility.error, { name: 'facilityName', code: 'facilityCode' })),
        ...(user.ok ? [] : rename(user.error, { name: 'userName' })),
        ...(slot.ok ? [] : slot.error),
      ];
      if (!facility.ok || !user.ok || !slot.ok) return err({ type: 'invalid', issues });

      const next: DeviceProfile = {
        deviceId: deps.deviceId ?? (ids.next() as DeviceId),
        facility: facility.value,
        user: { ...user.value, id: ids.next() as UserId, facilityCode: facility.value.code },
        deviceSlot: slot.value,
        language: input.language,
      };
      try {
        await repo.write(networkDocId, (doc) => {
          initNetworkDoc(doc);
          putFacility(doc, next.facility);
          putUser(doc, next.user);
          putDevice(doc, {
            deviceId: next.deviceId,
            facilityCode: next.facility.code,
            slot: slot.value,
            addedAt: now(),
          });
        });
        await repo.write(registerDocId(next.facility.code), (doc) =>
          initRegisterDoc(doc, next.facility.code),
        );
        await store.setMeta(profileKey, next);
      } catch (error) {
        return err(failed(error));
      }
      profile = next;
      await deps.storage.requestPersistence().catch(() => false);
      await deps.onProfileReady?.(next);
      return ok(next);
    },

    async setupSupervisor(input) {
      const user = validateUser({ name: input.userName, role: 'supervisor' });
      if (!user.ok) {
        return err({
          type: 'invalid',
          issues: user.error.map((i) => ({ ...i, field: 'userName' })),
        });
      }
      const next: DeviceProfile = {
        deviceId: deps.deviceId ?? (ids.next() as DeviceId),
        facility: {
          code: supervisorFacilityCode,
          name: input.scopeName.trim().slice(0, 100) || user.value.name,
          district: '',
          region: '',
        },
        user: { ...user.value, id: ids.next() as UserId, facilityCode: supervisorFacilityCode },
        deviceSlot: 0,
        language: input.language,
      };
      try {
        await store.setMeta(profileKey, next);
      } catch (error) {
        return err(failed(error));
      }
      profile = next;
      await deps.onProfileReady?.(next);
      return ok(next);
    },

    async setLanguage(language: Language) {
      if (!profile) return;
      profile = { ...profile, language };
      await store.setMeta(profileKey, profile);
    },

    async findPossibleDuplicates(input) {
      const name = `${input.givenName} ${input.familyName}`;
      const swapped = `${input.familyName} ${input.givenName}`;
      const [held, heldSwapped, directory, directorySwapped] = await Promise.all([
        store.searchPatients(name, 50),
        store.searchPatients(swapped, 50),
        store.searchDirectory(name, 50),
        store.searchDirectory(swapped, 50),
      ]);
      // A held record knows the full birth date, the directory only the year: prefer the record.
      const heldMatches = new Set(
        [...held, ...heldSwapped]
          .filter((row) => isLikelySamePerson(input, row))
          .map((row) => row.ctcId),
      );
      const seen = new Set<string>();
      return [...directory, ...directorySwapped].filter((row) => {
        if (seen.has(row.ctcId)) return false;
        seen.add(row.ctcId);
        const heldRecord = [...held, ...heldSwapped].some((p) => p.ctcId === row.ctcId);
        return heldRecord ? heldMatches.has(row.ctcId) : isLikelySamePerson(input, row);
      });
    },

    async registerPatient(input, options) {
      const guard = writer();
      if (!guard.ok) return guard;
      const p = guard.value;
      const demographics = validateDemographics(input, { today: today() });
      if (!demographics.ok) return err({ type: 'invalid', issues: demographics.error });
      if (!options.acknowledgeDuplicate) {
        const matches = await service.findPossibleDuplicates(demographics.value);
        if (matches.length > 0) return err({ type: 'possible-duplicate', matches });
      }
      // Allocation and the write that consumes the serial run one at a time, across every tab
      // of this device: two saves in flight must never read the same counter.
      return exclusive('pamoja-ctc-serial', () => allocateAndWrite(p, demographics.value));
    },

    search(query) {
      return searchClinic(store, query, profile?.facility.code);
    },

    async facilityRegister(facilityCode) {
      const rows = await store.directoryOfFacility(facilityCode as FacilityCode);
      const listed = await Promise.all(
        rows.map(async (row): Promise<RegisterRow> => {
          const listedRow: RegisterRow = {
            ctcId: row.ctcId,
            givenName: row.givenName,
            familyName: row.familyName,
            sex: row.sex,
            birthYear: row.birthYear,
            status: row.status,
            // Held means the full record is here (opening it needs no fetch).
            held: (await store.getPatientRow(row.ctcId)) !== undefined,
          };
          if (row.lastVisitDate) listedRow.lastVisitDate = row.lastVisitDate;
          if (row.lastVisitFacility) listedRow.lastVisitFacility = row.lastVisitFacility;
          return listedRow;
        }),
      );
      return listed.sort(
        (a, b) =>
          a.familyName.localeCompare(b.familyName) || a.givenName.localeCompare(b.givenName),
      );
    },

    async overviewFacilities() {
      const facilities = readFacilities(await repo.get(networkDocId)).filter(
        (f) => f.code !== supervisorFacilityCode,
      );
      if (profile?.user.role !== 'supervisor') return facilities;
      const fold = (text: string) => text.trim().toLowerCase();
      // MS15: the read scope the membership gives this supervisor, when it is enrolled.
      const granted = deps.readScope?.();
      if (granted?.kind === 'network') return facilities;
      if (granted?.kind === 'district') {
        return facilities.filter((f) => fold(f.district) === fold(granted.district));
      }
      // Not enrolled yet: its profile is named after its district (or after the network, which
      // names no district: then every facility).
      const scope = fold(profile.facility.name);
      const inDistrict = facilities.filter((f) => fold(f.district) === scope);
      return inDistrict.length > 0 ? inDistrict : facilities;
    },

    async getPatient(ctcId) {
      const docId = patientDocId(ctcId);
      if (!(await repo.isStored(docId))) return undefined;
      const [doc, network] = await Promise.all([repo.get(docId), repo.get(networkDocId)]);
      const view = buildPatientView(
        readPatient(doc),
        readFacilities(network),
        today(),
        readFollowUpPolicy(network),
        false,
      );
      if (view) {
        view.access = readAccessLog(doc);
        const signers = await entrySigners(store, docId);
        for (const entry of view.history) signEntry(entry, signers);
        for (const list of [
          view.visits,
          view.results,
          view.appointments,
          view.statusChanges,
          view.careEntries,
        ]) {
          for (const entry of list) signEntry(entry, signers);
        }
        view.demographicsEditable =
          writer().ok && view.primaryFacility.code === profile?.facility.code;
      }
      return view;
    },

    watchPatient(ctcId, listener) {
      const docId: DocId = patientDocId(ctcId);
      let active = true;
      const refresh = () => {
        service
          .getPatient(ctcId)
          .then((view) => {
            if (active) listener(view);
          })
          .catch((error: unknown) => console.error('Patient view failed', error));
      };
      const off = repo.onDocChanged((changed) => {
        if (changed === docId || changed === networkDocId) refresh();
      });
      refresh();
      return () => {
        active = false;
        off();
      };
    },

    async recordVisit(ctcId, input, supersedes) {
      const guard = writer();
      if (!guard.ok) return guard;
      const ctx = await patientContext(ctcId);
      const visit = validateVisit(input, {
        today: today(),
        facilityCode: guard.value.facility.code,
        ...(ctx.demographics
          ? { birthDate: ctx.demographics.birthDate, sex: ctx.demographics.sex }
          : ctx.directory
            ? { sex: ctx.directory.sex }
            : {}),
      });
      if (!visit.ok) return err({ type: 'invalid', issues: visit.error });
      return appendClinicalEntry(ctcId, 'visit', visit.value, supersedes, guard.value, true);
    },

    async recordResult(ctcId, input, supersedes) {
      const guard = writer();
      if (!guard.ok) return guard;
      const ctx = await patientContext(ctcId);
      const result = validateLabResult(input, {
        today: today(),
        facilityCode: guard.value.facility.code,
        ...(ctx.demographics ? { birthDate: ctx.demographics.birthDate } : {}),
      });
      if (!result.ok) return err({ type: 'invalid', issues: result.error });
      return appendClinicalEntry(ctcId, 'result', result.value, supersedes, guard.value);
    },

    async scheduleAppointment(ctcId, input, supersedes) {
      const guard = writer();
      if (!guard.ok) return guard;
      const appointment = validateAppointment(input, {
        today: today(),
      });
      if (!appointment.ok) return err({ type: 'invalid', issues: appointment.error });
      const saved = await appendClinicalEntry(
        ctcId,
        'appointment',
        appointment.value,
        supersedes,
        guard.value,
      );
      return saved;
    },

    async editDemographics(ctcId, input) {
      const guard = writer();
      if (!guard.ok) return guard;
      const docId = patientDocId(ctcId);
      if (!(await repo.isStored(docId))) return err({ type: 'not-found' });
      // WR12: the registering facility keeps who the patient is; a change made here would be
      // refused by every peer, so it is not made at all.
      if (facilityOfCtcId(ctcId) !== guard.value.facility.code)
        return err({ type: 'not-permitted' });
      const next = validateDemographics(input, { today: today() });
      if (!next.ok) return err({ type: 'invalid', issues: next.error });
      let edit: Entry<'demographics'> | null;
      try {
        edit = await repo.write(docId, (doc) =>
          editDemographics(doc, next.value, stamp(guard.value), ids.next() as EntryId),
        );
      } catch (error) {
        return err(failed(error));
      }
      if (edit) {
        await touchRegister(ctcId, {
          ctcId,
          givenName: next.value.givenName,
          familyName: next.value.familyName,
          sex: next.value.sex,
          birthYear: Number(next.value.birthDate.slice(0, 4)),
        }).catch((error: unknown) => console.warn('Register summary not updated', error));
      }
      return ok(edit ? edit.id : null);
    },

    async changeStatus(ctcId, input) {
      const guard = writer();
      if (!guard.ok) return guard;
      const ctx = await patientContext(ctcId);
      const change = validateStatusChange(input, {
        today: today(),
        ...(ctx.demographics ? { birthDate: ctx.demographics.birthDate } : {}),
      });
      if (!change.ok) return err({ type: 'invalid', issues: change.error });
      return appendClinicalEntry(ctcId, 'status', change.value, undefined, guard.value, true);
    },

    async clinicList(day) {
      const policy = await followUpPolicy();
      const list: ClinicList = { dueToday: [], overdue: [], missed: [], ltfu: [] };
      for (const row of await store.appointmentsUntil(day)) {
        if (!row.nextAppointment || row.status !== 'active') continue;
        const state = appointmentState(row.nextAppointment, undefined, day, policy);
        const item: ClinicListItem = {
          row,
          state,
          daysLate: Math.max(0, daysBetween(row.nextAppointment, day)),
        };
        if (state === 'due_today') list.dueToday.push(item);
        else if (state === 'overdue') list.overdue.push(item);
        else if (state === 'missed') list.missed.push(item);
        else if (state === 'ltfu') list.ltfu.push(item);
      }
      return list;
    },

    async repairRegister() {
      if (!profile || profile.user.role === 'supervisor') return 0;
      const own = profile.facility.code;
      const listed = new Set<string>(
        (await store.directoryOfFacility(own)).map((row) => row.ctcId),
      );
      let repaired = 0;
      for (const info of await store.listDocs('patient')) {
        const ctcId = ctcIdOfDoc(info.docId);
        if (!ctcId || !ctcId.startsWith(own) || listed.has(ctcId)) continue;
        const snapshot = readPatient(await repo.get(info.docId));
        if (!snapshot.demographics || snapshot.primaryFacility !== own) continue;
        const summary = summaryOf(ctcId, snapshot.demographics, snapshot.registeredAt ?? now());
        const row = await store.getPatientRow(ctcId);
        await repo.write(registerDocId(own), (doc) => {
          initRegisterDoc(doc, own);
          upsertSummary(doc, {
            ...summary,
            status: row?.status ?? summary.status,
            ...(row?.lastVisitDate ? { lastVisitDate: row.lastVisitDate } : {}),
            ...(row?.lastVisitFacility ? { lastVisitFacility: row.lastVisitFacility } : {}),
          });
        });
        repaired += 1;
      }
      return repaired;
    },

    storageUsage: () => deps.storage.usage(),
    requestPersistentStorage: () => deps.storage.requestPersistence(),

    onChange(listener) {
      changeListeners.add(listener);
      return () => changeListeners.delete(listener);
    },
  };
  return { service, writes: { writer, appendClinicalEntry } };
}

function summaryOf(ctcId: CtcId, d: Demographics, registeredAt: IsoDateTime) {
  return {
    ctcId,
    givenName: d.givenName,
    familyName: d.familyName,
    sex: d.sex,
    birthYear: Number(d.birthDate.slice(0, 4)),
    status: 'active' as const,
    registeredAt,
  };
}

/** The stamp of an entry written at `at` by the profile's user on its device. */
export function stampOf(p: DeviceProfile, at: IsoDateTime): Stamp {
  return {
    userId: p.user.id,
    userName: p.user.name,
    role: p.user.role,
    deviceId: p.deviceId,
    facilityCode: p.facility.code,
    at,
  };
}
