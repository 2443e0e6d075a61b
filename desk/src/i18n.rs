//! Every word the coordinator reads: Bahasa Indonesia first, English as the
//! switch, one struct per language (a missing string is a compile error), as
//! in the volunteers' app. Domain words (review states, categories, phases,
//! contests) come from pantau-core.

use gloo_storage::{LocalStorage as GlooLocalStorage, Storage as _};
use leptos::prelude::*;
use pantau_core::review::ReviewError;
pub use pantau_core::Lang;

/// The chosen language, shared through context.
#[derive(Clone, Copy)]
pub struct I18n(pub RwSignal<Lang>);

impl I18n {
    pub fn new() -> I18n {
        let lang = GlooLocalStorage::get::<Lang>(crate::kept::LANG_KEY).unwrap_or_default();
        set_document_lang(lang);
        I18n(RwSignal::new(lang))
    }

    /// The current language (tracked).
    pub fn lang(&self) -> Lang {
        self.0.get()
    }

    pub fn lang_untracked(&self) -> Lang {
        self.0.get_untracked()
    }

    /// The current catalogue (tracked).
    pub fn t(&self) -> &'static Texts {
        texts(self.0.get())
    }

    /// The current catalogue, for an event handler (not tracked).
    pub fn t_now(&self) -> &'static Texts {
        texts(self.0.get_untracked())
    }

    /// Switches between Bahasa Indonesia and English.
    pub fn toggle(&self) {
        let lang = match self.0.get_untracked() {
            Lang::Id => Lang::En,
            Lang::En => Lang::Id,
        };
        let _ = GlooLocalStorage::set(crate::kept::LANG_KEY, lang);
        set_document_lang(lang);
        self.0.set(lang);
    }
}

impl Default for I18n {
    fn default() -> Self {
        I18n::new()
    }
}

fn set_document_lang(lang: Lang) {
    if let Some(html) = document().document_element() {
        let _ = html.set_attribute("lang", if lang == Lang::Id { "id" } else { "en" });
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

impl Texts {
    /// Why a review change cannot be made, before it is sent.
    pub fn review_error(&self, error: &ReviewError) -> String {
        match error {
            ReviewError::BackToNew => self.review_back_to_new.to_owned(),
            ReviewError::Unchanged => self.review_unchanged.to_owned(),
            ReviewError::ReferenceMissing => self.review_reference_missing.to_owned(),
            ReviewError::ReferenceTooLong => {
                format!("{} {}", self.review_reference_too_long, pantau_core::review::MAX_REFERENCE_CHARS)
            }
            ReviewError::ReferenceNotForwarded => self.review_reference_missing.to_owned(),
            ReviewError::NoteTooLong => {
                format!("{} {}", self.review_note_too_long, pantau_core::review::MAX_REVIEW_NOTE_CHARS)
            }
        }
    }
}

pub struct Texts {
    pub photos: &'static str,
    pub location: &'static str,
    pub open_map: &'static str,
    pub photo_not_found: &'static str,
    pub photo_heading: &'static str,
    pub download_photo: &'static str,
    pub photo_taken: &'static str,
    pub desk_name: &'static str,
    pub desk_intro: &'static str,
    pub code_label: &'static str,
    pub code_hint: &'static str,
    pub sign_in: &'static str,
    pub signing_in: &'static str,
    pub bad_code: &'static str,
    pub sign_in_no_answer: &'static str,
    pub session_expired: &'static str,
    pub session_refused: &'static str,
    pub signed_out: &'static str,
    pub signed_out_elsewhere: &'static str,
    pub sign_out: &'static str,
    pub other_language: &'static str,
    pub scope_all: &'static str,
    pub scope: &'static str,
    pub live: &'static str,
    pub connecting: &'static str,
    pub offline: &'static str,
    pub sound: &'static str,
    pub nav_label: &'static str,
    pub nav_front: &'static str,
    pub nav_reports: &'static str,
    pub nav_coverage: &'static str,
    pub nav_tally: &'static str,
    pub loading: &'static str,
    pub no_connection: &'static str,
    pub server_refused: &'static str,
    pub server_error: &'static str,
    pub too_many_requests: &'static str,
    pub not_found: &'static str,
    pub bad_filter: &'static str,
    pub attention: &'static str,
    pub attention_none: &'static str,
    pub attention_all: &'static str,
    pub per_hour: &'static str,
    pub reports_last_day: &'static str,
    pub urgent_word: &'static str,
    pub coverage_per_kecamatan: &'static str,
    pub coverage_all: &'static str,
    pub no_tps_known: &'static str,
    pub latest: &'static str,
    pub no_reports: &'static str,
    pub all_reports: &'static str,
    pub filter_label: &'static str,
    pub kind: &'static str,
    pub kinds: [&'static str; 3],
    pub category: &'static str,
    pub any: &'static str,
    pub review_state: &'static str,
    pub area: &'static str,
    pub whole_scope: &'static str,
    pub tps: &'static str,
    pub words: &'static str,
    pub since: &'static str,
    pub until: &'static str,
    pub urgent_only: &'static str,
    pub search: &'static str,
    pub clear_filter: &'static str,
    pub export_xlsx: &'static str,
    pub export_csv: &'static str,
    pub new_since_loaded: &'static str,
    pub show_them: &'static str,
    pub reports_shown: &'static str,
    pub no_reports_found: &'static str,
    pub more: &'static str,
    pub back_to_list: &'static str,
    pub report_not_found: &'static str,
    pub urgent_badge: &'static str,
    pub volunteer: &'static str,
    pub made_at: &'static str,
    pub received_at: &'static str,
    pub occurred_at: &'static str,
    pub place: &'static str,
    pub reported_party: &'static str,
    pub witnesses: &'static str,
    pub description: &'static str,
    pub sum_of_votes: &'static str,
    pub valid: &'static str,
    pub invalid: &'static str,
    pub voters: &'static str,
    pub does_not_add_up: &'static str,
    pub discrepancy: &'static str,
    pub review: &'static str,
    pub change_to: &'static str,
    pub reference: &'static str,
    pub reference_short: &'static str,
    pub note: &'static str,
    pub save_review: &'static str,
    pub review_saved: &'static str,
    pub pick_state: &'static str,
    pub conflict_now: &'static str,
    pub conflict_again: &'static str,
    pub history: &'static str,
    pub no_history: &'static str,
    pub review_back_to_new: &'static str,
    pub review_unchanged: &'static str,
    pub review_reference_missing: &'static str,
    pub review_reference_too_long: &'static str,
    pub review_note_too_long: &'static str,
    pub levels: [&'static str; 3],
    pub level_label: &'static str,
    pub within: &'static str,
    pub have_reported: &'static str,
    pub reported: &'static str,
    pub phases: [&'static str; 3],
    pub count_results: &'static str,
    pub silent_tps: &'static str,
    pub none_silent: &'static str,
    pub tally_hint: &'static str,
    pub no_counts: &'static str,
    pub check_first: &'static str,
    pub reports_word: &'static str,
}

pub static ID: Texts = Texts {
    photos: "Foto",
    location: "Lokasi ponsel",
    open_map: "Buka di peta",
    photo_not_found: "Foto ini tidak ada, atau di luar wilayah Anda.",
    photo_heading: "Foto bukti",
    download_photo: "Unduh foto",
    photo_taken: "Diambil",
    desk_name: "Meja koordinator Pantau",
    desk_intro:
        "Laporan pengawas partisipatif dari TPS di wilayah Anda: masuk langsung, ditinjau, dan ditindaklanjuti.",
    code_label: "Kode masuk",
    code_hint: "Buka tautan masuk yang Anda terima dari admin Bawaslu, atau ketik kodenya di sini.",
    sign_in: "Masuk",
    signing_in: "Sedang masuk…",
    bad_code: "Kode ini tidak dikenal, sudah dipakai, atau dicabut. Minta tautan masuk baru kepada admin.",
    sign_in_no_answer: "Server belum menjawab. Kode disimpan; tekan Masuk untuk mencoba lagi.",
    session_expired: "Sesi Anda sudah berakhir. Minta tautan masuk baru kepada admin.",
    session_refused:
        "Akses Anda tidak berlaku lagi (dicabut atau diganti tautan baru). Minta tautan masuk baru kepada admin.",
    signed_out: "Anda sudah keluar. Untuk masuk lagi, minta tautan masuk baru kepada admin.",
    signed_out_elsewhere:
        "Anda keluar di tab lain pada browser ini. Untuk masuk lagi, minta tautan masuk baru kepada admin.",
    sign_out: "Keluar",
    other_language: "English",
    scope_all: "Semua TPS",
    scope: "Wilayah",
    live: "Langsung",
    connecting: "Menyambung…",
    offline: "Terputus, mencoba lagi…",
    sound: "Bunyi untuk kejadian mendesak",
    nav_label: "Menu meja",
    nav_front: "Beranda",
    nav_reports: "Laporan",
    nav_coverage: "Cakupan",
    nav_tally: "Rekap suara",
    loading: "Memuat…",
    no_connection: "Tidak tersambung ke server. Periksa koneksi; data dimuat lagi saat tersambung.",
    server_refused: "Server menolak:",
    server_error: "Server sedang bermasalah. Coba lagi sebentar lagi; bila berlanjut, hubungi admin.",
    too_many_requests: "Terlalu banyak permintaan dalam waktu singkat. Tunggu sebentar lalu coba lagi.",
    not_found: "Tidak ditemukan, atau di luar wilayah Anda.",
    bad_filter: "Saringan tidak dapat dipakai; periksa isian.",
    attention: "Perlu perhatian",
    attention_none: "Tidak ada kejadian mendesak yang menunggu.",
    attention_all: "Semua kejadian mendesak yang belum ditinjau",
    per_hour: "Laporan per jam (24 jam terakhir)",
    reports_last_day: "laporan dalam 24 jam terakhir",
    urgent_word: "mendesak",
    coverage_per_kecamatan: "TPS yang sudah melapor, per kecamatan",
    coverage_all: "Cakupan lengkap",
    no_tps_known: "Belum ada TPS yang terdaftar di wilayah ini.",
    latest: "Laporan terbaru",
    no_reports: "Belum ada laporan.",
    all_reports: "Semua laporan",
    filter_label: "Saring laporan",
    kind: "Jenis",
    kinds: ["Checklist TPS", "Laporan kejadian", "Hasil penghitungan"],
    category: "Kategori",
    any: "Semua",
    review_state: "Status tinjauan",
    area: "Wilayah",
    whole_scope: "Seluruh wilayah",
    tps: "TPS",
    words: "Kata dalam laporan",
    since: "Sejak",
    until: "Sampai",
    urgent_only: "Hanya yang mendesak",
    search: "Cari",
    clear_filter: "Hapus saringan",
    export_xlsx: "Unduh Excel",
    export_csv: "Unduh CSV",
    new_since_loaded: "laporan baru masuk di wilayah Anda sejak daftar dimuat (belum disaring).",
    show_them: "Tampilkan",
    reports_shown: "laporan ditampilkan",
    no_reports_found: "Tidak ada laporan yang cocok.",
    more: "Muat lebih banyak",
    back_to_list: "← Daftar laporan",
    report_not_found: "Laporan ini tidak ada, atau di luar wilayah Anda.",
    urgent_badge: "Mendesak",
    volunteer: "Pengawas",
    made_at: "Dibuat",
    received_at: "Diterima server",
    occurred_at: "Waktu kejadian",
    place: "Tempat",
    reported_party: "Terlapor",
    witnesses: "Saksi",
    description: "Uraian kejadian",
    sum_of_votes: "Jumlah suara peserta",
    valid: "Suara sah",
    invalid: "Suara tidak sah",
    voters: "Pengguna hak pilih",
    does_not_add_up: "angka tidak cocok",
    discrepancy: "dua hasil berbeda",
    review: "Tinjauan",
    change_to: "Ubah status menjadi",
    reference: "Nomor register tindak lanjut",
    reference_short: "No.",
    note: "Catatan (boleh kosong)",
    save_review: "Simpan tinjauan",
    review_saved: "Tinjauan tersimpan.",
    pick_state: "Pilih status baru.",
    conflict_now: "Koordinator lain baru saja mengubah tinjauan ini. Statusnya sekarang:",
    conflict_again:
        "Perubahan Anda belum disimpan; catatan Anda tetap di bawah. Periksa riwayat, lalu simpan lagi bila masih perlu",
    history: "Riwayat tinjauan",
    no_history: "Belum ada yang meninjau laporan ini.",
    review_back_to_new: "Laporan tidak bisa dikembalikan ke Baru.",
    review_unchanged: "Status sudah begitu. Tulis catatan untuk menambah keterangan.",
    review_reference_missing: "Isi nomor register untuk laporan yang ditindaklanjuti (hanya untuk status itu).",
    review_reference_too_long: "Nomor register terlalu panjang; paling banyak",
    review_note_too_long: "Catatan terlalu panjang; paling banyak karakter:",
    levels: ["Kecamatan", "Kelurahan", "TPS"],
    level_label: "Tingkat wilayah",
    within: "Di dalam",
    have_reported: "sudah melapor",
    reported: "Melapor",
    phases: ["Pembukaan", "Pemungutan", "Penghitungan"],
    count_results: "Hasil hitung",
    silent_tps: "TPS yang belum mengirim apa pun",
    none_silent: "Semua TPS sudah mengirim laporan.",
    tally_hint: "Setiap TPS dihitung sekali, dengan laporan terakhirnya. TPS yang perlu diperiksa ada di atas.",
    no_counts: "Belum ada hasil penghitungan.",
    check_first: "Periksa dulu",
    reports_word: "laporan",
};

pub static EN: Texts = Texts {
    photos: "Photos",
    location: "Phone location",
    open_map: "Open in a map",
    photo_not_found: "This photo does not exist, or is outside your area.",
    photo_heading: "Photo evidence",
    download_photo: "Download the photo",
    photo_taken: "Taken",
    desk_name: "Pantau coordinators' desk",
    desk_intro:
        "Reports from participatory supervisors at the TPS of your area: as they arrive, reviewed and followed up.",
    code_label: "Sign-in code",
    code_hint: "Open the sign-in link your Bawaslu admin sent you, or type its code here.",
    sign_in: "Sign in",
    signing_in: "Signing in…",
    bad_code: "This code is unknown, used or revoked. Ask your admin for a new sign-in link.",
    sign_in_no_answer: "The server has not answered. The code is kept; press Sign in to try again.",
    session_expired: "Your session has ended. Ask your admin for a new sign-in link.",
    session_refused:
        "Your access is no longer valid (revoked, or replaced by a new link). Ask your admin for a new sign-in link.",
    signed_out: "You have signed out. To sign in again, ask your admin for a new sign-in link.",
    signed_out_elsewhere:
        "You signed out in another tab of this browser. To sign in again, ask your admin for a new sign-in link.",
    sign_out: "Sign out",
    other_language: "Bahasa Indonesia",
    scope_all: "Every TPS",
    scope: "Area",
    live: "Live",
    connecting: "Connecting…",
    offline: "Disconnected, trying again…",
    sound: "Sound for urgent incidents",
    nav_label: "Desk menu",
    nav_front: "Overview",
    nav_reports: "Reports",
    nav_coverage: "Coverage",
    nav_tally: "Vote tally",
    loading: "Loading…",
    no_connection: "Not connected to the server. Check the connection; data loads again once connected.",
    server_refused: "The server refused:",
    server_error: "The server has a problem. Try again shortly; if it goes on, tell your admin.",
    too_many_requests: "Too many requests in a short time. Wait a moment, then try again.",
    not_found: "Not found, or outside your area.",
    bad_filter: "The filter cannot be used; check the fields.",
    attention: "Needs attention",
    attention_none: "No urgent incident is waiting.",
    attention_all: "Every urgent incident not yet reviewed",
    per_hour: "Reports per hour (last 24 hours)",
    reports_last_day: "reports in the last 24 hours",
    urgent_word: "urgent",
    coverage_per_kecamatan: "TPS that have reported, per kecamatan",
    coverage_all: "Full coverage",
    no_tps_known: "No TPS is registered in this area yet.",
    latest: "Latest reports",
    no_reports: "No reports yet.",
    all_reports: "All reports",
    filter_label: "Filter reports",
    kind: "Kind",
    kinds: ["TPS checklist", "Incident report", "Count result"],
    category: "Category",
    any: "Any",
    review_state: "Review state",
    area: "Area",
    whole_scope: "Whole area",
    tps: "TPS",
    words: "Words in the report",
    since: "From",
    until: "Until",
    urgent_only: "Urgent only",
    search: "Search",
    clear_filter: "Clear filter",
    export_xlsx: "Download Excel",
    export_csv: "Download CSV",
    new_since_loaded: "new reports arrived in your area since the list was loaded (not yet filtered).",
    show_them: "Show",
    reports_shown: "reports shown",
    no_reports_found: "No report matches.",
    more: "Load more",
    back_to_list: "← Report list",
    report_not_found: "This report does not exist, or is outside your area.",
    urgent_badge: "Urgent",
    volunteer: "Supervisor",
    made_at: "Made",
    received_at: "Received by the server",
    occurred_at: "When it happened",
    place: "Place",
    reported_party: "Reported party",
    witnesses: "Witnesses",
    description: "What happened",
    sum_of_votes: "Participants' votes added up",
    valid: "Valid votes",
    invalid: "Invalid votes",
    voters: "Voters",
    does_not_add_up: "numbers do not add up",
    discrepancy: "two different results",
    review: "Review",
    change_to: "Change the state to",
    reference: "Follow-up register number",
    reference_short: "No.",
    note: "Note (optional)",
    save_review: "Save review",
    review_saved: "Review saved.",
    pick_state: "Choose the new state.",
    conflict_now: "Another coordinator has just changed this review. It is now:",
    conflict_again:
        "Your change was not saved; your note is still below. Check the history, then save again if still needed",
    history: "Review history",
    no_history: "Nobody has reviewed this report yet.",
    review_back_to_new: "A report cannot go back to New.",
    review_unchanged: "It is already in that state. Write a note to add to it.",
    review_reference_missing: "Give the register number for a forwarded report (only for that state).",
    review_reference_too_long: "The register number is too long; at most",
    review_note_too_long: "The note is too long; at most characters:",
    levels: ["Kecamatan", "Kelurahan", "TPS"],
    level_label: "Area level",
    within: "Within",
    have_reported: "have reported",
    reported: "Reported",
    phases: ["Opening", "Voting", "Counting"],
    count_results: "Count results",
    silent_tps: "TPS that have sent nothing",
    none_silent: "Every TPS has sent a report.",
    tally_hint: "Each TPS counts once, with its latest report. TPS to check are on top.",
    no_counts: "No count results yet.",
    check_first: "Check first",
    reports_word: "reports",
};
