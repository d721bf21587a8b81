//! The server's local time (docs/calls.md): MOR stores call times as naive local times of its
//! server's zone, and reads unix times in it. morbox has one zone, `serve --tz` (`MORBOX_TZ`,
//! an IANA name, UTC by default), from the time zone database bundled in the binary.

use jiff::Timestamp;
use jiff::tz::TimeZone;
use std::sync::OnceLock;

static ZONE: OnceLock<TimeZone> = OnceLock::new();

/// Sets the server's zone, once, before serving; an unknown name is refused.
pub fn set(name: &str) -> Result<(), String> {
    let zone = TimeZone::get(name)
        .map_err(|_| format!("--tz {name}: not an IANA time zone name (such as Europe/Vilnius)"))?;
    let _ = ZONE.set(zone);
    Ok(())
}

fn zone() -> &'static TimeZone {
    ZONE.get_or_init(|| TimeZone::UTC)
}

/// A unix time as the server's naive local time, `YYYY-MM-DD HH:MM:SS`. A time the zone
/// database does not reach (before 1970 here, or the last hours of the year 9999) is shown in
/// UTC.
pub fn local(unix: i64) -> String {
    match Timestamp::from_second(unix) {
        Ok(t) if unix >= 0 && unix < Timestamp::MAX.as_second() - 86_400 => t
            .to_zoned(zone().clone())
            .strftime("%Y-%m-%d %H:%M:%S")
            .to_string(),
        _ => crate::dates::text(unix),
    }
}

/// The current unix time.
pub fn now() -> i64 {
    Timestamp::now().as_second()
}

/// Today's date in the server's zone, `YYYY-MM-DD`.
pub fn today() -> String {
    local(now())[..10].to_string()
}

/// The zone's offset at `unix`, as the vendor writes it: `GMT +02:00`.
pub fn gmt_offset(unix: i64) -> String {
    let t = Timestamp::from_second(unix).unwrap_or(Timestamp::UNIX_EPOCH);
    let secs = zone().to_offset(t).seconds();
    let sign = if secs < 0 { '-' } else { '+' };
    let a = secs.unsigned_abs();
    format!("GMT {sign}{:02}:{:02}", a / 3600, a % 3600 / 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_by_default_and_zones_by_name() {
        assert_eq!(local(1_709_251_200), "2024-03-01 00:00:00");
        assert_eq!(gmt_offset(1_709_251_200), "GMT +00:00");
        assert_eq!(local(253_402_300_799), "9999-12-31 23:59:59");
        assert!(set("Not/AZone").is_err());
        // A zone's offset moves with summer time.
        let vilnius = TimeZone::get("Europe/Vilnius").unwrap();
        let winter = vilnius.to_offset(Timestamp::from_second(1_709_251_200).unwrap());
        let summer = vilnius.to_offset(Timestamp::from_second(1_720_000_000).unwrap());
        assert_eq!((winter.seconds(), summer.seconds()), (7200, 10800));
    }
}
