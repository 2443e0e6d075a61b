// Reports as a phone sends them, for the desk's tests and screenshots. The
// checklist items follow pantau-core's catalogue (core/src/checklist.rs); the
// server names any item missing, so a change there fails here loudly.

import { randomUUID } from 'node:crypto';

export const ITEMS = {
  opening: ['opened_0700', 'kpps_oath', 'witnesses_mandate', 'ballot_box_empty', 'ballots_sealed', 'lists_posted'],
  voting: ['dpk_from_1200', 'ink', 'no_ballot_photos', 'disability_access', 'queue_at_closing_served'],
  counting: ['count_open_same_day', 'unused_ballots_announced', 'c_hasil_displayed', 'objections_recorded'],
};

/** An RFC 3339 time `minutes` ago, in WITA as a Balikpapan phone writes it. */
export function minutesAgo(minutes) {
  const t = new Date(Date.now() - minutes * 60_000 + 8 * 3600_000);
  return `${t.toISOString().slice(0, 19)}+08:00`;
}

export function incident(tps, description, { urgent = false, category = 'vote_buying', minutes = 5, place = 'Dekat TPS' } = {}) {
  return {
    id: randomUUID(), tps, created_at: minutesAgo(minutes),
    body: { kind: 'incident', category, occurred_at: minutesAgo(minutes + 10), place, description, reported_party: '', witnesses: '', urgent },
  };
}

export function checklist(tps, phase, { no = [], minutes = 30 } = {}) {
  const answers = ITEMS[phase].map((item) => ({ item, answer: no.includes(item) ? 'no' : 'yes', ...(no.includes(item) ? { note: 'Tidak sesuai aturan' } : {}) }));
  return { id: randomUUID(), tps, created_at: minutesAgo(minutes), body: { kind: 'checklist', phase, answers } };
}

export function count(tps, votes, { contest = 'president', invalid = 3, minutes = 10, valid } = {}) {
  const sum = votes.reduce((a, [, v]) => a + v, 0);
  const names = ['1. Anies Rasyid Baswedan – Abdul Muhaimin Iskandar', '2. Prabowo Subianto – Gibran Rakabuming Raka', '3. Ganjar Pranowo – Mahfud MD'];
  return {
    id: randomUUID(), tps, created_at: minutesAgo(minutes),
    body: {
      kind: 'count_result', contest,
      votes: votes.map(([i, v]) => ({ name: names[i], votes: v })),
      valid: valid ?? sum, invalid, voters: (valid ?? sum) + invalid,
    },
  };
}

/**
 * A polling day in Kecamatan Balikpapan Timur (647101) and a little of
 * Balikpapan Barat: 30 known TPS, checklists, count results (one TPS with two
 * disagreeing results), incidents. Returns what was posted.
 */
export async function seedPollingDay(server) {
  const tps = (village, n) => `${village}-${String(n).padStart(3, '0')}`;
  const known = [];
  for (const [village, n] of [['6471011001', 12], ['6471011002', 8], ['6471011003', 6], ['6471021001', 4]]) {
    for (let i = 1; i <= n; i += 1) known.push(`${tps(village, i)},Jl. Contoh No. ${i}`);
  }
  await server.importTps(known);
  const sari = await server.volunteerToken('Sari Wulandari', '6471011001');
  const budi = await server.volunteerToken('Budi Santoso', '647101');
  const rina = await server.volunteerToken('Rina Marlina', '6471021001');
  const posted = [];
  const post = async (token, reports) => { await server.postReports(token, reports); posted.push(...reports); };
  await post(sari, [
    ...[1, 2, 3, 4, 5, 6, 7].map((n) => checklist(tps('6471011001', n), 'opening', { minutes: 600 - n, no: n === 3 ? ['lists_posted'] : [] })),
    ...[1, 2, 3, 4].map((n) => checklist(tps('6471011001', n), 'voting', { minutes: 300 - n })),
    checklist(tps('6471011001', 1), 'counting', { minutes: 90 }),
    count(tps('6471011001', 1), [[0, 61], [1, 112], [2, 20]], { minutes: 60 }),
    count(tps('6471011001', 2), [[0, 48], [1, 131], [2, 17]], { minutes: 55 }),
    count(tps('6471011001', 4), [[0, 70], [1, 95], [2, 22]], { minutes: 50, valid: 190 }),
    incident(tps('6471011001', 2), 'Spanduk calon masih terpasang di depan TPS pada masa tenang.', { category: 'quiet_period_campaign', minutes: 420 }),
  ]);
  await post(budi, [
    ...[1, 2, 3].map((n) => checklist(tps('6471011002', n), 'opening', { minutes: 580 - n })),
    count(tps('6471011001', 2), [[0, 48], [1, 113], [2, 17]], { minutes: 40 }),
    incident(tps('6471011002', 3), 'Pemilih dari luar daftar diizinkan mencoblos sebelum pukul 12.00.', { category: 'voter_list', minutes: 200 }),
  ]);
  await post(rina, [
    checklist(tps('6471021001', 1), 'opening', { minutes: 590 }),
    incident(tps('6471021001', 1), 'Amplop dibagikan di gang belakang TPS.', { urgent: true, minutes: 30 }),
  ]);
  return posted;
}
