//! What a [`FieldError`] says to the volunteer, in Bahasa Indonesia and English.

use super::{FieldError, FieldErrorCode, REPORTING_WINDOW_DAYS, YEARS};
use crate::Lang;

impl FieldError {
    /// What the error says, in `lang`; the limit is filled in where there is one.
    pub fn message(&self, lang: Lang) -> String {
        use FieldErrorCode::*;
        let limit = self.limit.unwrap_or_default();
        match (self.code, lang) {
            (Required, Lang::Id) => "Wajib diisi.".into(),
            (Required, Lang::En) => "Required.".into(),
            (TooLong, Lang::Id) => format!("Terlalu panjang: paling banyak {limit} karakter."),
            (TooLong, Lang::En) => format!("Too long: at most {limit} characters."),
            (UnknownItem, Lang::Id) => "Butir checklist tidak dikenal untuk tahap ini.".into(),
            (UnknownItem, Lang::En) => "Unknown checklist item for this phase.".into(),
            (Duplicate, Lang::Id) => "Butir ini dijawab dua kali.".into(),
            (Duplicate, Lang::En) => "This item is answered twice.".into(),
            (TooMany, Lang::Id) => format!("Terlalu banyak baris: paling banyak {limit}."),
            (TooMany, Lang::En) => format!("Too many rows: at most {limit}."),
            (TooLarge, Lang::Id) => format!("Angka terlalu besar: paling banyak {limit}."),
            (TooLarge, Lang::En) => format!("Number too large: at most {limit}."),
            (NotANumber, Lang::Id) => "Isi dengan angka bulat, 0 atau lebih.".into(),
            (NotANumber, Lang::En) => "Enter a whole number, 0 or more.".into(),
            (ReportTooLarge, Lang::Id) => {
                format!("Laporan terlalu besar (paling banyak {} KB): pendekkan isian.", limit / 1000)
            }
            (ReportTooLarge, Lang::En) => {
                format!("The report is too large (at most {} KB): shorten what you typed.", limit / 1000)
            }
            (InFuture, Lang::Id) => {
                "Waktu kejadian sesudah jam ponsel sekarang. Periksa tanggal dan jam ponsel; laporan tetap bisa disimpan."
                    .into()
            }
            (PastReportingWindow, Lang::Id) => format!(
                "Kejadian lebih dari {REPORTING_WINDOW_DAYS} hari lalu: Bawaslu menerima laporan dugaan pelanggaran paling lambat {REPORTING_WINDOW_DAYS} hari sejak diketahui. Periksa tanggalnya; laporan tetap bisa disimpan."
            ),
            (PastReportingWindow, Lang::En) => format!(
                "The incident is more than {REPORTING_WINDOW_DAYS} days old: Bawaslu takes reports of suspected violations within {REPORTING_WINDOW_DAYS} days of their being known. Check the date; the report can still be saved."
            ),
            (InFuture, Lang::En) => {
                "The incident time is later than the phone's clock. Check the phone's date and time; the report can still be saved."
                    .into()
            }
            (OutOfRange, Lang::Id) => {
                format!("Waktu di luar rentang: tahun {} sampai {}.", YEARS.start(), YEARS.end())
            }
            (OutOfRange, Lang::En) => format!("The time is out of range: years {} to {}.", YEARS.start(), YEARS.end()),
            (TotalsMismatch, Lang::Id) => {
                "Suara sah + tidak sah tidak sama dengan pengguna hak pilih. Periksa lagi; laporan tetap bisa disimpan."
                    .into()
            }
            (TotalsMismatch, Lang::En) => {
                "Valid + invalid votes differ from the number of voters. Check again; the report can still be saved."
                    .into()
            }
            (VotesMismatch, Lang::Id) => {
                "Jumlah suara peserta tidak sama dengan suara sah. Periksa lagi; laporan tetap bisa disimpan.".into()
            }
            (VotesMismatch, Lang::En) => {
                "The candidates' votes do not add up to the valid votes. Check again; the report can still be saved."
                    .into()
            }
            (TpsVillageCode, Lang::Id) => {
                "Kode wilayah desa/kelurahan harus 10 angka, lalu nomor TPS (contoh: 6471011001-003).".into()
            }
            (TpsVillageCode, Lang::En) => {
                "The village code must be 10 digits, then the TPS number (e.g. 6471011001-003).".into()
            }
            (TpsNumber, Lang::Id) => "Nomor TPS harus angka 1 sampai 999 (contoh: 6471011001-003).".into(),
            (TpsNumber, Lang::En) => "The TPS number must be from 1 to 999 (e.g. 6471011001-003).".into(),
            (OutsideScope, Lang::Id) => {
                "TPS ini di luar tugas Anda dari koordinator: server hanya menerima laporan untuk TPS tugas Anda.".into()
            }
            (NotAPhoto, Lang::Id) => "Foto ini rusak: ambil ulang fotonya.".into(),
            (NotAPhoto, Lang::En) => "This photo is damaged: take it again.".into(),
            (PhotoTooLarge, Lang::Id) => format!("Foto terlalu besar: paling banyak {} KB.", limit / 1000),
            (PhotoTooLarge, Lang::En) => format!("The photo is too large: at most {} KB.", limit / 1000),
            (PhotoItem, Lang::Id) => "Foto checklist hanya untuk butir yang dijawab Tidak.".into(),
            (PhotoItem, Lang::En) => "Checklist photos belong only to items answered No.".into(),
            (PositionInvalid, Lang::Id) => "Lokasi dari ponsel tidak masuk akal: hapus lalu ambil lagi.".into(),
            (PositionInvalid, Lang::En) => "The phone's location makes no sense: remove it and try again.".into(),
            (OutsideScope, Lang::En) => {
                "This TPS is outside what your coordinator assigned you: the server only takes reports for your TPS."
                    .into()
            }
        }
    }
}
