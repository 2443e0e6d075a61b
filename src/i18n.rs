//! Every word the volunteer reads, in one catalogue: Bahasa Indonesia first,
//! English as the switch. Each language is a value of one struct, so a string
//! missing from either language is a compile error, and the catalogue costs no
//! more bytes than the strings themselves (no runtime lookup, no plural rules:
//! Indonesian has none). Words that belong to the domain (checklist items,
//! incident categories, validation messages) live in pantau-core with the rules
//! they describe, in the same two languages.

use gloo_storage::{LocalStorage as GlooLocalStorage, Storage as _};
use leptos::prelude::*;
pub use pantau_core::Lang;

const STORAGE_KEY: &str = "pantau.lang";

/// The language chosen in Pengaturan, shared through context.
#[derive(Clone, Copy)]
pub struct I18n(pub RwSignal<Lang>);

impl I18n {
    pub fn new() -> I18n {
        let lang = GlooLocalStorage::get::<Lang>(STORAGE_KEY).unwrap_or_default();
        set_document_lang(lang);
        I18n(RwSignal::new(lang))
    }

    /// The current language (tracked: a view using it follows a switch).
    pub fn lang(&self) -> Lang {
        self.0.get()
    }

    /// The current catalogue (tracked).
    pub fn t(&self) -> &'static Texts {
        texts(self.0.get())
    }

    pub fn set(&self, lang: Lang) {
        let _ = GlooLocalStorage::set(STORAGE_KEY, lang);
        set_document_lang(lang);
        self.0.set(lang);
    }
}

impl Default for I18n {
    fn default() -> Self {
        I18n::new()
    }
}

/// Screen readers pick their voice from `<html lang>`.
fn set_document_lang(lang: Lang) {
    if let Some(html) = document().document_element() {
        let _ = html.set_attribute(
            "lang",
            match lang {
                Lang::Id => "id",
                Lang::En => "en",
            },
        );
    }
}

pub fn use_i18n() -> I18n {
    expect_context::<I18n>()
}

pub fn texts(lang: Lang) -> &'static Texts {
    match lang {
        Lang::Id => &ID,
        Lang::En => &EN,
    }
}

/// One language's words. Field names say where a string is used.
pub struct Texts {
    pub checklist_hint: &'static str,
    pub incident_hint: &'static str,
    pub count_hint: &'static str,
    pub already_saved: &'static str,
    pub update_available: &'static str,
    pub reload: &'static str,
    pub install_app: &'static str,
    pub install_why: &'static str,
    pub ios_install: &'static str,
    pub app_tagline: &'static str,
    pub nav_label: &'static str,
    pub nav_home: &'static str,
    pub nav_new: &'static str,
    pub nav_outbox: &'static str,
    pub nav_settings: &'static str,
    pub hello: &'static str,
    pub volunteer: &'static str,
    pub tps_not_set: &'static str,
    pub go_to_settings: &'static str,
    pub not_enrolled: &'static str,
    pub storage_unavailable: &'static str,
    pub waiting_count: &'static str,
    pub sent_count: &'static str,
    pub refused_count: &'static str,
    pub sending_progress: &'static str,
    pub of: &'static str,
    pub last_sync: &'static str,
    pub never: &'static str,
    pub sync_paused_unauthorized: &'static str,
    pub other_tab_sending: &'static str,
    pub send_now: &'static str,
    pub new_report_heading: &'static str,
    pub choose_kind: &'static str,
    pub other_kind: &'static str,
    pub checklist_heading: &'static str,
    pub incident_heading: &'static str,
    pub count_heading: &'static str,
    pub tps_label: &'static str,
    pub tps_hint: &'static str,
    pub phase_label: &'static str,
    pub answered: &'static str,
    pub item_note_label: &'static str,
    pub category_label: &'static str,
    pub choose: &'static str,
    pub occurred_at_label: &'static str,
    pub place_label: &'static str,
    pub description_label: &'static str,
    pub reported_party_label: &'static str,
    pub witnesses_label: &'static str,
    pub urgent_label: &'static str,
    pub contest_label: &'static str,
    pub votes_legend: &'static str,
    pub candidate_name: &'static str,
    pub candidate_votes: &'static str,
    pub votes_placeholder: &'static str,
    pub remove_row: &'static str,
    pub add_row: &'static str,
    pub valid_label: &'static str,
    pub invalid_label: &'static str,
    pub voters_label: &'static str,
    pub save: &'static str,
    pub save_correction: &'static str,
    pub saving: &'static str,
    pub loading: &'static str,
    pub saved: &'static str,
    pub not_saved: &'static str,
    pub fix_fields: &'static str,
    pub quota_advice: &'static str,
    pub store_unavailable: &'static str,
    pub store_full: &'static str,
    pub store_failed: &'static str,
    pub retry_advice: &'static str,
    pub not_editable: &'static str,
    pub outbox_heading: &'static str,
    pub outbox_empty: &'static str,
    pub state_waiting: &'static str,
    pub state_sending: &'static str,
    pub state_sent: &'static str,
    pub state_rejected: &'static str,
    pub state_conflict: &'static str,
    pub receipt_no: &'static str,
    pub tried: &'static str,
    pub edit: &'static str,
    pub show_all: &'static str,
    pub clear_sent: &'static str,
    pub quarantine_heading: &'static str,
    pub unreadable_records: &'static str,
    pub settings_heading: &'static str,
    pub profile_heading: &'static str,
    pub name_label: &'static str,
    pub village_picker_label: &'static str,
    pub village_picker_none: &'static str,
    pub language_heading: &'static str,
    pub enrolment_heading: &'static str,
    pub enrolled_as: &'static str,
    pub enrol_code_label: &'static str,
    pub enrol: &'static str,
    pub enrolling: &'static str,
    pub enrol_refused: &'static str,
    pub enrol_refused_advice: &'static str,
    pub enrol_no_connection: &'static str,
    pub storage_heading: &'static str,
    pub storage_persistent: &'static str,
    pub storage_not_persistent: &'static str,
    pub storage_unknown: &'static str,
    pub storage_used: &'static str,
    pub keep_sent_days_label: &'static str,
}

pub static ID: Texts = Texts {
    checklist_hint: "Pembukaan, pemungutan, penghitungan: Ya / Tidak / Tidak tahu",
    incident_hint: "Politik uang, intimidasi, netralitas, dan lainnya",
    count_hint: "Perolehan suara dari C.Hasil",
    already_saved: "Laporan ini sudah tersimpan.",
    update_available: "Versi baru tersedia",
    reload: "Muat ulang",
    install_app: "Pasang Pantau di ponsel",
    install_why: "Terpasang, Pantau terbuka tanpa sinyal dan laporan Anda lebih aman dari pembersihan browser.",
    ios_install: "Di iPhone/iPad: ketuk tombol Bagikan, lalu “Tambahkan ke Layar Utama”. Penting: Safari menghapus data situs yang tidak dibuka selama 7 hari, kecuali aplikasinya dipasang di Layar Utama.",
    app_tagline: "Laporan pengawasan TPS",
    nav_label: "Menu utama",
    nav_home: "Beranda",
    nav_new: "Laporan baru",
    nav_outbox: "Kotak keluar",
    nav_settings: "Pengaturan",
    hello: "Halo,",
    volunteer: "relawan",
    tps_not_set: "TPS belum diisi. Isi di Pengaturan.",
    go_to_settings: "Buka Pengaturan",
    not_enrolled: "Belum terdaftar. Laporan tetap bisa disimpan dan akan dikirim setelah Anda mendaftar dengan kode dari koordinator.",
    storage_unavailable: "Penyimpanan ponsel tidak bisa dibuka. Laporan baru tidak bisa disimpan.",
    waiting_count: "menunggu",
    sent_count: "terkirim",
    refused_count: "ditolak",
    sending_progress: "Kemajuan pengiriman",
    of: "dari",
    last_sync: "Terakhir terkirim",
    never: "belum pernah",
    sync_paused_unauthorized: "Pengiriman dijeda: perangkat perlu didaftarkan ulang. Laporan tetap tersimpan.",
    other_tab_sending: "Laporan sedang dikirim dari tab lain.",
    send_now: "Kirim sekarang",
    new_report_heading: "Laporan baru",
    choose_kind: "Pilih jenis laporan",
    other_kind: "Pilih jenis lain",
    checklist_heading: "Checklist TPS",
    incident_heading: "Laporan kejadian",
    count_heading: "Hasil penghitungan",
    tps_label: "Kode TPS",
    tps_hint: "Kode desa/kelurahan 10 angka lalu nomor TPS, contoh 6471011001-003",
    phase_label: "Tahap",
    answered: "butir dijawab",
    item_note_label: "Catatan (tidak wajib)",
    category_label: "Jenis kejadian",
    choose: "— Pilih —",
    occurred_at_label: "Waktu kejadian",
    place_label: "Tempat kejadian",
    description_label: "Uraian kejadian",
    reported_party_label: "Terlapor (siapa pelakunya, bila tahu)",
    witnesses_label: "Saksi (nama, bila ada)",
    urgent_label: "Mendesak: koordinator perlu segera tahu",
    contest_label: "Jenis pemilihan",
    votes_legend: "Perolehan suara sesuai C.Hasil",
    candidate_name: "Nama peserta",
    candidate_votes: "Suara peserta",
    votes_placeholder: "Suara",
    remove_row: "Hapus baris",
    add_row: "Tambah baris",
    valid_label: "Suara sah",
    invalid_label: "Suara tidak sah",
    voters_label: "Pengguna hak pilih",
    save: "Simpan",
    save_correction: "Simpan perbaikan",
    saving: "Menyimpan…",
    loading: "Memuat…",
    saved: "Tersimpan di ponsel. Akan dikirim saat ada sinyal.",
    not_saved: "Tidak tersimpan",
    fix_fields: "Belum tersimpan: perbaiki isian yang ditandai",
    store_unavailable: "penyimpanan browser tidak tersedia",
    store_full: "penyimpanan penuh",
    store_failed: "gagal menyimpan",
    quota_advice: "Penyimpanan ponsel penuh. Kirim laporan yang menunggu atau kosongkan ruang, lalu tekan Simpan lagi. Isian Anda tetap di layar.",
    retry_advice: "Isian Anda tetap di layar. Coba tekan Simpan lagi.",
    not_editable: "Laporan ini tidak bisa diubah lagi.",
    outbox_heading: "Kotak keluar",
    outbox_empty: "Belum ada laporan.",
    state_waiting: "Menunggu",
    state_sending: "Mengirim…",
    state_sent: "Terkirim",
    state_rejected: "Ditolak",
    state_conflict: "Bentrok",
    receipt_no: "No. tanda terima",
    tried: "dicoba",
    edit: "Perbaiki",
    show_all: "Tampilkan semua laporan",
    clear_sent: "Hapus laporan yang sudah terkirim dari daftar",
    quarantine_heading: "Catatan yang tidak terbaca",
    unreadable_records: "catatan tersimpan tidak terbaca. Catatan itu disimpan apa adanya dan tidak dihapus.",
    settings_heading: "Pengaturan",
    profile_heading: "Profil dan TPS",
    name_label: "Nama relawan",
    village_picker_label: "Pilih kelurahan (Kota Balikpapan)",
    village_picker_none: "— Ketik kode sendiri —",
    language_heading: "Bahasa",
    enrolment_heading: "Pendaftaran",
    enrolled_as: "Terdaftar sebagai",
    enrol_code_label: "Kode pendaftaran",
    enrol: "Daftar",
    enrolling: "Mendaftar…",
    enrol_refused: "Kode pendaftaran ditolak",
    enrol_refused_advice: "Minta kode baru ke koordinator.",
    enrol_no_connection: "Tidak ada sambungan ke server. Pendaftaran dicoba lagi otomatis saat ada sinyal.",
    storage_heading: "Penyimpanan",
    storage_persistent: "Permanen: browser tidak akan menghapus laporan Anda.",
    storage_not_persistent: "Tidak permanen: browser bisa menghapus data bila ruang penuh. Pasang aplikasi ke layar utama agar lebih aman.",
    storage_unknown: "Status penyimpanan tidak diketahui.",
    storage_used: "Terpakai",
    keep_sent_days_label: "Simpan laporan terkirim di daftar selama (hari)",
};

pub static EN: Texts = Texts {
    checklist_hint: "Opening, voting, counting: Yes / No / Don't know",
    incident_hint: "Vote buying, intimidation, neutrality and more",
    count_hint: "The votes from the C.Hasil sheet",
    already_saved: "This report is already saved.",
    update_available: "A new version is available",
    reload: "Reload",
    install_app: "Install Pantau on this phone",
    install_why: "Installed, Pantau opens with no signal and your reports are safer from the browser's clean-ups.",
    ios_install: "On iPhone/iPad: tap the Share button, then “Add to Home Screen”. This matters: Safari deletes a site's data after 7 days without a visit, unless the app is on the Home Screen.",
    app_tagline: "TPS observation reports",
    nav_label: "Main menu",
    nav_home: "Home",
    nav_new: "New report",
    nav_outbox: "Outbox",
    nav_settings: "Settings",
    hello: "Hello,",
    volunteer: "volunteer",
    tps_not_set: "No TPS set yet. Set it in Settings.",
    go_to_settings: "Open Settings",
    not_enrolled: "Not enrolled yet. Reports can still be saved; they are sent once you enrol with the code from your coordinator.",
    storage_unavailable: "The phone's storage cannot be opened. New reports cannot be saved.",
    waiting_count: "waiting",
    sent_count: "sent",
    refused_count: "refused",
    sending_progress: "Sending progress",
    of: "of",
    last_sync: "Last delivery",
    never: "never",
    sync_paused_unauthorized: "Sending is paused: this phone must be enrolled again. Your reports are kept.",
    other_tab_sending: "Reports are being sent from another tab.",
    send_now: "Send now",
    new_report_heading: "New report",
    choose_kind: "Choose the kind of report",
    other_kind: "Choose another kind",
    checklist_heading: "TPS checklist",
    incident_heading: "Incident report",
    count_heading: "Count result",
    tps_label: "TPS code",
    tps_hint: "The 10-digit village code, then the TPS number, e.g. 6471011001-003",
    phase_label: "Phase",
    answered: "items answered",
    item_note_label: "Note (optional)",
    category_label: "Kind of incident",
    choose: "— Choose —",
    occurred_at_label: "Time of the incident",
    place_label: "Place",
    description_label: "What happened",
    reported_party_label: "Reported party (who did it, if known)",
    witnesses_label: "Witnesses (names, if any)",
    urgent_label: "Urgent: the coordinator must know now",
    contest_label: "Contest",
    votes_legend: "Votes as posted on the C.Hasil sheet",
    candidate_name: "Candidate or party",
    candidate_votes: "Votes of candidate",
    votes_placeholder: "Votes",
    remove_row: "Remove row",
    add_row: "Add a row",
    valid_label: "Valid votes",
    invalid_label: "Invalid votes",
    voters_label: "Voters who voted",
    save: "Save",
    save_correction: "Save correction",
    saving: "Saving…",
    loading: "Loading…",
    saved: "Saved on the phone. It will be sent when there is signal.",
    not_saved: "Not saved",
    fix_fields: "Not saved yet: correct the marked fields",
    store_unavailable: "browser storage is unavailable",
    store_full: "storage is full",
    store_failed: "could not save",
    quota_advice: "The phone's storage is full. Send waiting reports or free some space, then press Save again. What you typed stays on screen.",
    retry_advice: "What you typed stays on screen. Try Save again.",
    not_editable: "This report can no longer be changed.",
    outbox_heading: "Outbox",
    outbox_empty: "No reports yet.",
    state_waiting: "Waiting",
    state_sending: "Sending…",
    state_sent: "Sent",
    state_rejected: "Refused",
    state_conflict: "Conflict",
    receipt_no: "Receipt no.",
    tried: "tried",
    edit: "Correct",
    show_all: "Show all reports",
    clear_sent: "Remove sent reports from the list",
    quarantine_heading: "Unreadable records",
    unreadable_records: "stored records could not be read. They are kept as they are, never deleted.",
    settings_heading: "Settings",
    profile_heading: "Profile and TPS",
    name_label: "Volunteer's name",
    village_picker_label: "Pick a village (Kota Balikpapan)",
    village_picker_none: "— Type the code yourself —",
    language_heading: "Language",
    enrolment_heading: "Enrolment",
    enrolled_as: "Enrolled as",
    enrol_code_label: "Enrolment code",
    enrol: "Enrol",
    enrolling: "Enrolling…",
    enrol_refused: "The enrolment code was refused",
    enrol_refused_advice: "Ask your coordinator for a new code.",
    enrol_no_connection: "No connection to the server. Enrolment is tried again by itself when there is signal.",
    storage_heading: "Storage",
    storage_persistent: "Persistent: the browser will not delete your reports.",
    storage_not_persistent: "Not persistent: the browser may delete data when space runs out. Install the app to the home screen to keep it safer.",
    storage_unknown: "Storage status unknown.",
    storage_used: "Used",
    keep_sent_days_label: "Keep sent reports listed for (days)",
};

impl Texts {
    pub fn kind_title(&self, kind: crate::app::FormKind) -> &'static str {
        match kind {
            crate::app::FormKind::Checklist => self.checklist_heading,
            crate::app::FormKind::Incident => self.incident_heading,
            crate::app::FormKind::CountResult => self.count_heading,
        }
    }

    pub fn kind_hint(&self, kind: crate::app::FormKind) -> &'static str {
        match kind {
            crate::app::FormKind::Checklist => self.checklist_hint,
            crate::app::FormKind::Incident => self.incident_hint,
            crate::app::FormKind::CountResult => self.count_hint,
        }
    }
}
