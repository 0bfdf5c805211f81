//! Hostile files for the security tests: what an attacker with an ordinary account would upload.

use flate2::{Compress, Compression, FlushCompress};

/// Raw deflate of `inflated` zero bytes, built from one compressed MiB repeated: a few hundred
/// bytes per MiB, made in milliseconds even in a debug build.
fn deflated_zeros(inflated: u64) -> Vec<u8> {
    const MIB: u64 = 1 << 20;
    let mut c = Compress::new(Compression::best(), false);
    let mut chunk = Vec::with_capacity(4096);
    // A sync flush ends the (non-final) block on a byte boundary, so copies of it concatenate.
    let _ = c.compress_vec(&vec![0u8; MIB as usize], &mut chunk, FlushCompress::Sync);
    let mut out = Vec::with_capacity(chunk.len() * (inflated / MIB) as usize + 2);
    for _ in 0..inflated.div_ceil(MIB) {
        out.extend_from_slice(&chunk);
    }
    // A final, empty block with fixed codes.
    out.extend_from_slice(&[0x03, 0x00]);
    out
}

/// An xlsx-shaped zip whose worksheet inflates to `inflated` bytes (declared honestly, as Excel
/// would); the other parts are small and valid. The sheet's CRC is left 0: a reader that gets
/// to check it has already inflated everything.
pub fn xlsx_bomb(inflated: u64) -> Vec<u8> {
    /// A part: deflated bytes, inflated size, CRC-32.
    type Part = (Vec<u8>, u64, u32);
    let small = |s: &str| {
        let mut c = Compress::new(Compression::default(), false);
        let mut out = Vec::with_capacity(s.len() + 64);
        let _ = c.compress_vec(s.as_bytes(), &mut out, FlushCompress::Finish);
        let mut crc = flate2::Crc::new();
        crc.update(s.as_bytes());
        (out, s.len() as u64, crc.sum())
    };
    let parts: Vec<(&str, Part)> = vec![
        (
            "[Content_Types].xml",
            small(
                r#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>"#,
            ),
        ),
        ("xl/workbook.xml", small(r#"<?xml version="1.0"?><workbook/>"#)),
        ("xl/worksheets/sheet1.xml", (deflated_zeros(inflated), inflated, 0)),
    ];
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, (data, size, crc)) in &parts {
        let offset = out.len() as u32;
        let size = (*size).min(u64::from(u32::MAX)) as u32;
        let header = |sig: u32, central: bool| {
            let mut h = Vec::new();
            h.extend_from_slice(&sig.to_le_bytes());
            if central {
                h.extend_from_slice(&20u16.to_le_bytes()); // made by
            }
            for v in [20u16, 0, 8, 0, 0x21] {
                h.extend_from_slice(&v.to_le_bytes()); // version, flags, deflate, time, date
            }
            h.extend_from_slice(&crc.to_le_bytes());
            h.extend_from_slice(&(data.len() as u32).to_le_bytes());
            h.extend_from_slice(&size.to_le_bytes());
            h.extend_from_slice(&(name.len() as u16).to_le_bytes());
            h.extend_from_slice(&0u16.to_le_bytes()); // extra
            if central {
                for v in [0u16, 0, 0] {
                    h.extend_from_slice(&v.to_le_bytes()); // comment, disk, internal attributes
                }
                h.extend_from_slice(&0u32.to_le_bytes()); // external attributes
                h.extend_from_slice(&offset.to_le_bytes());
            }
            h.extend_from_slice(name.as_bytes());
            h
        };
        out.extend(header(0x0403_4b50, false));
        out.extend_from_slice(data);
        central.extend(header(0x0201_4b50, true));
    }
    let start = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    for v in [0u16, 0, parts.len() as u16, parts.len() as u16] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&start.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

/// Values that a spreadsheet program runs as formulas (OWASP's CSV injection examples).
pub const FORMULA_NAMES: [&str; 4] =
    ["=HYPERLINK(\"http://example.invalid\",\"点我\")", "=cmd|' /C calc'!A0", "+1+1", "@SUM(A1)"];
