//! Calendar dates of unix times, for the vendors that write times as text (Feishu's log ids
//! and report times, Huawei's `yyyy-MM-dd HH:mm`, DingTalk's ban end): one place, on the
//! `time` crate, instead of a civil-date algorithm per vendor.

use time::format_description::BorrowedFormatItem;
use time::{Date, Month, SignedDuration, UtcDateTime};

/// A unix second written in a vendor's format (`time::macros::format_description!`) at
/// `offset_secs` east of UTC, e.g. `[year]-[month]-[day] [hour]:[minute]`.
pub fn format(secs: i64, offset_secs: i64, how: &[BorrowedFormatItem<'_>]) -> String {
    civil(secs, offset_secs).format(how).unwrap_or_default()
}

/// The calendar date and time of unix second `secs` seen at `offset_secs` east of UTC
/// (proleptic Gregorian). Times a four-digit year cannot show are clamped to years 1 and 9999
/// (the server clock never leaves 1970–9999; request input may).
pub fn civil(secs: i64, offset_secs: i64) -> UtcDateTime {
    /// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z.
    const FIRST: i64 = -62_135_596_800;
    const LAST: i64 = 253_402_300_799;
    let at = secs.saturating_add(offset_secs).clamp(FIRST, LAST);
    UtcDateTime::from_unix_timestamp(at).unwrap_or(UtcDateTime::UNIX_EPOCH)
}

/// The unix second of `year-month-day hour:minute` UTC. A day past the month's end runs on
/// into the next month (Feb 31 is Mar 3, as a lenient Java date parser reads it); `None` for
/// a month outside 1–12 or a date the calendar cannot hold.
pub fn unix_from_civil(year: i64, month: i64, day: i64, hour: i64, minute: i64) -> Option<i64> {
    let month = Month::try_from(u8::try_from(month).ok()?).ok()?;
    let first = Date::from_calendar_date(i32::try_from(year).ok()?, month, 1).ok()?;
    let date = first.checked_add(SignedDuration::days(day - 1))?;
    Some(date.midnight().as_utc().unix_timestamp() + hour * 3600 + minute * 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_right_across_leap_days_and_offsets() {
        let d = civil(0, 0);
        assert_eq!(
            (d.year(), d.month() as u8, d.day(), d.hour()),
            (1970, 1, 1, 0)
        );
        let d = civil(19_782 * 86_400, 0);
        assert_eq!((d.year(), d.month() as u8, d.day()), (2024, 2, 29));
        let d = civil(1_704_067_200, 8 * 3600);
        assert_eq!(
            (d.year(), d.month() as u8, d.day(), d.hour()),
            (2024, 1, 1, 8)
        );
        assert_eq!(civil(i64::MAX, 0).year(), 9999);
        assert_eq!(civil(i64::MIN, 0).year(), 1);
    }

    #[test]
    fn formats_pad_like_the_vendors_write_them() {
        let f = time::macros::format_description!("[year].[month].[day] [hour]:[minute]:[second]");
        assert_eq!(format(1_709_195_405, 8 * 3600, f), "2024.02.29 16:30:05");
        assert_eq!(format(-62_135_596_800, 0, f), "0001.01.01 00:00:00");
    }

    #[test]
    fn civil_times_go_back_to_unix_seconds_and_overflowing_days_run_on() {
        assert_eq!(unix_from_civil(1970, 1, 1, 0, 0), Some(0));
        assert_eq!(unix_from_civil(2024, 2, 29, 8, 30), Some(1_709_195_400));
        assert_eq!(
            unix_from_civil(2023, 2, 31, 0, 0),
            unix_from_civil(2023, 3, 3, 0, 0)
        );
        assert_eq!(unix_from_civil(2023, 13, 1, 0, 0), None);
    }
}
