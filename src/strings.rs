//! Every word the volunteer reads, in one place. Bahasa Indonesia first.

pub const APP_TITLE: &str = "Pantau";
pub const APP_TAGLINE: &str = "Laporan pengawasan TPS";
pub const TPS_LABEL: &str = "Kode TPS";
pub const TPS_HINT: &str = "Kode desa/kelurahan 10 angka lalu nomor TPS, contoh 6471011001-003";
pub const OBSERVATION_LABEL: &str = "Catatan pengamatan";
pub const SAVE: &str = "Simpan";
pub const SAVED: &str = "Tersimpan di ponsel. Akan dikirim saat ada sinyal.";
pub const NOT_SAVED: &str = "Tidak tersimpan";
pub const SEND_NOW: &str = "Kirim sekarang";
pub const OUTBOX_HEADING: &str = "Kotak keluar";
pub const OUTBOX_EMPTY: &str = "Belum ada laporan.";
pub const STATE_WAITING: &str = "Menunggu";
pub const STATE_SENDING: &str = "Mengirim…";
pub const STATE_SENT: &str = "Terkirim";
pub const STATE_REJECTED: &str = "Ditolak";
pub const STATE_CONFLICT: &str = "Bentrok";
pub const RECEIPT_NO: &str = "No. tanda terima";
pub const WAITING_COUNT: &str = "menunggu";
pub const SENT_COUNT: &str = "terkirim";
pub const LAST_SYNC: &str = "Terakhir terkirim";
pub const NEVER: &str = "belum pernah";
pub const UNREADABLE_RECORDS: &str = "catatan tersimpan tidak terbaca. Catatan itu disimpan apa adanya dan tidak dihapus.";
pub const SYNC_PAUSED_UNAUTHORIZED: &str = "Pengiriman dijeda: perangkat perlu didaftarkan ulang. Laporan tetap tersimpan.";
pub const QUOTA_ADVICE: &str =
    "Penyimpanan ponsel penuh. Kirim laporan yang menunggu atau kosongkan ruang, lalu tekan Simpan lagi. Isian Anda tetap di layar.";
pub const ENROLLED_AS: &str = "Terdaftar sebagai";
pub const NOT_ENROLLED: &str =
    "Belum terdaftar. Laporan tetap bisa disimpan dan akan dikirim setelah Anda mendaftar dengan kode dari koordinator.";
pub const ENROL_CODE_LABEL: &str = "Kode pendaftaran";
pub const ENROL: &str = "Daftar";
pub const ENROLLING: &str = "Mendaftar…";
pub const SENDING_PROGRESS: &str = "Kemajuan pengiriman";
pub const OF: &str = "dari";
pub const OTHER_TAB_SENDING: &str = "Laporan sedang dikirim dari tab lain.";
pub const STORAGE_UNAVAILABLE: &str = "Penyimpanan ponsel tidak bisa dibuka. Laporan baru tidak bisa disimpan.";
pub const EDIT_HEADING: &str = "Perbaiki laporan yang ditolak";
pub const NEW_REPORT_HEADING: &str = "Laporan baru";
pub const LOADING: &str = "Memuat…";
pub const SAVING: &str = "Menyimpan…";
pub const RETRY_ADVICE: &str = "Isian Anda tetap di layar. Coba tekan Simpan lagi.";
pub const CLEAR_SENT: &str = "Hapus laporan yang sudah terkirim dari daftar";
pub const QUARANTINE_HEADING: &str = "Catatan yang tidak terbaca";
pub const STORAGE_HEADING: &str = "Penyimpanan";
pub const STORAGE_PERSISTENT: &str = "Permanen: browser tidak akan menghapus laporan Anda.";
pub const STORAGE_NOT_PERSISTENT: &str =
    "Tidak permanen: browser bisa menghapus data bila ruang penuh. Pasang aplikasi ke layar utama agar lebih aman.";
pub const STORAGE_UNKNOWN: &str = "Status penyimpanan tidak diketahui.";
pub const STORAGE_USED: &str = "Terpakai";
pub const TRIED: &str = "Dicoba";
pub const EDIT: &str = "Perbaiki";
pub const NOT_EDITABLE: &str = "Laporan ini tidak bisa diubah lagi.";
pub const SHOW_ALL: &str = "Tampilkan semua laporan";
