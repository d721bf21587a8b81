//! A ZIP archive of one file, deflated (tariff_rates_get's answer, docs/calls.md): the local
//! header, the data, the central directory and its end, as PKWARE's APPNOTE lays them out.

use flate2::Compression;
use flate2::Crc;
use flate2::write::DeflateEncoder;
use std::io::Write;

/// `data` as the one file `name` of a ZIP archive, dated `unix_time` (UTC).
pub fn single(name: &str, data: &[u8], unix_time: i64) -> std::io::Result<Vec<u8>> {
    let mut deflater = DeflateEncoder::new(Vec::new(), Compression::default());
    deflater.write_all(data)?;
    let packed = deflater.finish()?;
    let mut crc = Crc::new();
    crc.update(data);
    let (time, date) = dos_time(unix_time);
    let too_big = |n: usize| {
        u32::try_from(n).map_err(|_| std::io::Error::other("too large for a ZIP without ZIP64"))
    };
    let (size, packed_size) = (too_big(data.len())?, too_big(packed.len())?);
    let name_len = u16::try_from(name.len()).map_err(std::io::Error::other)?;
    // What the local header and the central directory entry share, from "version needed".
    let mut common = Vec::with_capacity(26);
    common.extend_from_slice(&20u16.to_le_bytes()); // version needed: 2.0 (deflate)
    common.extend_from_slice(&0u16.to_le_bytes()); // flags
    common.extend_from_slice(&8u16.to_le_bytes()); // method: deflate
    common.extend_from_slice(&time.to_le_bytes());
    common.extend_from_slice(&date.to_le_bytes());
    common.extend_from_slice(&crc.sum().to_le_bytes());
    common.extend_from_slice(&packed_size.to_le_bytes());
    common.extend_from_slice(&size.to_le_bytes());
    common.extend_from_slice(&name_len.to_le_bytes());
    common.extend_from_slice(&0u16.to_le_bytes()); // extra field length
    let mut out = Vec::with_capacity(packed.len() + 2 * name.len() + 100);
    out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
    out.extend_from_slice(&common);
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(&packed);
    let directory_at = too_big(out.len())?;
    out.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
    out.extend_from_slice(&20u16.to_le_bytes()); // version made by: 2.0, MS-DOS
    out.extend_from_slice(&common);
    out.extend_from_slice(&0u16.to_le_bytes()); // comment length
    out.extend_from_slice(&0u16.to_le_bytes()); // disk number
    out.extend_from_slice(&0u16.to_le_bytes()); // internal attributes
    out.extend_from_slice(&0u32.to_le_bytes()); // external attributes
    out.extend_from_slice(&0u32.to_le_bytes()); // the local header's offset
    out.extend_from_slice(name.as_bytes());
    let directory_len = too_big(out.len())? - directory_at;
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes()); // this disk
    out.extend_from_slice(&0u16.to_le_bytes()); // the directory's disk
    out.extend_from_slice(&1u16.to_le_bytes()); // entries on this disk
    out.extend_from_slice(&1u16.to_le_bytes()); // entries
    out.extend_from_slice(&directory_len.to_le_bytes());
    out.extend_from_slice(&directory_at.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes()); // comment length
    Ok(out)
}

/// The MS-DOS time and date of a unix time (UTC; before 1980 counts as 1980-01-01).
fn dos_time(unix_time: i64) -> (u16, u16) {
    let t = unix_time.max(315_532_800);
    let (days, secs) = (t.div_euclid(86_400), t.rem_euclid(86_400));
    let (y, m, d) = civil(days);
    let time = ((secs / 3600) << 11) | (((secs % 3600) / 60) << 5) | ((secs % 60) / 2);
    let date = (((y - 1980).min(127)) << 9) | (m << 5) | d;
    (time as u16, date as u16)
}

/// The proleptic Gregorian (year, month, day) of a count of days since 1970-01-01 (Howard
/// Hinnant's algorithm).
fn civil(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::read::DeflateDecoder;
    use std::io::Read;

    #[test]
    fn one_file_reads_back() {
        let data = b"<page>hello</page>\n".repeat(50);
        let zip = single("get_tariff_1.xml", &data, 1_709_251_200).unwrap();
        assert_eq!(&zip[..4], b"PK\x03\x04");
        let u16_at = |i: usize| u16::from_le_bytes([zip[i], zip[i + 1]]) as usize;
        let u32_at = |i: usize| u32::from_le_bytes(zip[i..i + 4].try_into().unwrap()) as usize;
        let (packed, size, name_len) = (u32_at(18), u32_at(22), u16_at(26));
        assert_eq!(size, data.len());
        assert_eq!(&zip[30..30 + name_len], b"get_tariff_1.xml");
        let mut out = Vec::new();
        DeflateDecoder::new(&zip[30 + name_len..30 + name_len + packed])
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out, data);
        // The end record points at the directory, which repeats the name.
        let end = zip.len() - 22;
        assert_eq!(&zip[end..end + 4], b"PK\x05\x06");
        let dir = u32_at(end + 16);
        assert_eq!(&zip[dir..dir + 4], b"PK\x01\x02");
        // 2024-03-01 00:00:00.
        assert_eq!(
            dos_time(1_709_251_200),
            (0, ((2024 - 1980) << 9 | 3 << 5 | 1) as u16)
        );
    }
}
