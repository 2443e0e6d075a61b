//! One module per screen: Beranda, Laporan baru, Kotak keluar, Pengaturan.

pub mod home;
pub mod new_report;
pub mod outbox;
pub mod settings;
