//! QR codes of survey links, to print: SVG (scales without loss) and PNG (for a WeChat group or a
//! Word document). The PNG encoder is the minimum the format needs: 8-bit greyscale, one IDAT.

use std::io::Write;

use qrcode::{Color, EcLevel, QrCode};

/// Modules of white margin the standard requires around a code.
const QUIET: usize = 4;

fn code(text: &str) -> Option<QrCode> {
    // Level M survives a folded or smudged print and keeps a link of ~60 characters at version 4.
    QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).ok()
}

pub fn svg(text: &str) -> Option<String> {
    let c = code(text)?;
    Some(c.render::<qrcode::render::svg::Color>().min_dimensions(240, 240).quiet_zone(true).build())
}

/// A PNG of `scale` pixels per module.
pub fn png(text: &str, scale: usize) -> Option<Vec<u8>> {
    let c = code(text)?;
    let w = c.width();
    let colors = c.to_colors();
    let side = (w + 2 * QUIET) * scale;
    let mut raw = Vec::with_capacity((side + 1) * side);
    for y in 0..side {
        raw.push(0); // filter: none
        let my = (y / scale).checked_sub(QUIET).filter(|&m| m < w);
        for x in 0..side {
            let mx = (x / scale).checked_sub(QUIET).filter(|&m| m < w);
            let dark = matches!((mx, my), (Some(mx), Some(my)) if colors[my * w + mx] == Color::Dark);
            raw.push(if dark { 0 } else { 255 });
        }
    }
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(&raw).ok()?;
    let idat = z.finish().ok()?;
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let side32 = u32::try_from(side).ok()?;
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend(side32.to_be_bytes());
    ihdr.extend(side32.to_be_bytes());
    ihdr.extend([8, 0, 0, 0, 0]); // 8-bit, greyscale, deflate, no filter choice, no interlace
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &idat);
    chunk(&mut out, b"IEND", &[]);
    Some(out)
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend(u32::try_from(data.len()).unwrap_or(u32::MAX).to_be_bytes());
    out.extend(kind);
    out.extend(data);
    let mut crc = flate2::Crc::new();
    crc.update(kind);
    crc.update(data);
    out.extend(crc.sum().to_be_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn png_is_well_formed_and_sized_by_the_code() {
        let url = "http://127.0.0.1:8080/s/ABCDEFGHJKMNPQRS";
        let c = code(url).expect("fits");
        let p = png(url, 4).expect("png");
        assert_eq!(&p[..8], b"\x89PNG\r\n\x1a\n");
        assert_eq!(&p[12..16], b"IHDR");
        let side = u32::from_be_bytes([p[16], p[17], p[18], p[19]]) as usize;
        assert_eq!(side, (c.width() + 8) * 4);
        // IHDR's CRC (zlib's CRC-32 over type and data) as any decoder checks it.
        let mut crc = flate2::Crc::new();
        crc.update(&p[12..29]);
        assert_eq!(crc.sum().to_be_bytes(), p[29..33]);
        assert!(p.ends_with(&[0, 0, 0, 0, b'I', b'E', b'N', b'D', 0xAE, 0x42, 0x60, 0x82]));
        let s = svg(url).expect("svg");
        assert!(s.starts_with("<?xml") && s.contains("<svg"), "{s:.80}");
    }
}
