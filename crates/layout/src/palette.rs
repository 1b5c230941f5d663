//! Stable, colour-blind-friendly service colours.
//!
//! The palette is Okabe–Ito (designed to stay distinguishable under the common colour-vision
//! deficiencies) followed by Tableau-10 hues that Okabe–Ito lacks. Every red-like hue — Okabe–Ito
//! vermillion, Tableau red and pink — is left out: red means "error" and nothing else.
//!
//! Assignment: services are taken in order of first appearance in the trace; each asks for the slot
//! given by the FNV-1a hash of its name and, if another service already holds it, takes the next free
//! slot. The hash makes a service usually keep its colour across traces and builds (FNV is fixed by
//! its spec; `DefaultHasher` may change between Rust releases), while probing guarantees distinct
//! colours within a trace until the palette runs out, after which slots are shared.

use serde::{Deserialize, Serialize};
use spanlens_model::{Interner, Sym, Trace};
use std::collections::HashMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// `#rrggbb`, for canvas `fillStyle`.
    pub fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }

    /// Hue in degrees and saturation (HSV), to test for red-likeness.
    pub fn hue_saturation(self) -> (f64, f64) {
        let (r, g, b) = (f64::from(self.0) / 255.0, f64::from(self.1) / 255.0, f64::from(self.2) / 255.0);
        let max = r.max(g).max(b);
        let min = r.min(g).min(b);
        let d = max - min;
        if d == 0.0 {
            return (0.0, 0.0);
        }
        let h = if max == r {
            60.0 * ((g - b) / d).rem_euclid(6.0)
        } else if max == g {
            60.0 * ((b - r) / d + 2.0)
        } else {
            60.0 * ((r - g) / d + 4.0)
        };
        (h, d / max)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum Theme {
    #[default]
    Light,
    Dark,
}

/// Service colours on a light background.
pub const LIGHT: [Rgb; 12] = [
    Rgb(0x00, 0x72, 0xb2), // Okabe–Ito blue
    Rgb(0xe6, 0x9f, 0x00), // Okabe–Ito orange
    Rgb(0x00, 0x9e, 0x73), // Okabe–Ito bluish green
    Rgb(0xcc, 0x79, 0xa7), // Okabe–Ito reddish purple (hue 327°, well clear of red)
    Rgb(0x56, 0xb4, 0xe9), // Okabe–Ito sky blue
    Rgb(0xc9, 0xb2, 0x00), // Okabe–Ito yellow, darkened to read on white
    Rgb(0x59, 0xa1, 0x4f), // Tableau green
    Rgb(0x76, 0xb7, 0xb2), // Tableau teal
    Rgb(0xb0, 0x7a, 0xa1), // Tableau purple
    Rgb(0x9c, 0x75, 0x5f), // Tableau brown
    Rgb(0x4e, 0x79, 0xa7), // Tableau blue
    Rgb(0x8c, 0x8c, 0x8c), // neutral grey
];

/// The same hues lightened to keep contrast on a dark background.
pub const DARK: [Rgb; 12] = [
    Rgb(0x4d, 0xa3, 0xe0),
    Rgb(0xf0, 0xb8, 0x40),
    Rgb(0x33, 0xc4, 0x9a),
    Rgb(0xe0, 0x9a, 0xc4),
    Rgb(0x8a, 0xcd, 0xf2),
    Rgb(0xf0, 0xe4, 0x42),
    Rgb(0x84, 0xc6, 0x79),
    Rgb(0x9f, 0xd4, 0xcf),
    Rgb(0xcd, 0xa0, 0xc2),
    Rgb(0xc4, 0x9f, 0x88),
    Rgb(0x85, 0xa8, 0xd0),
    Rgb(0xb4, 0xb4, 0xb4),
];

/// Error red per theme; the only red anywhere in the palette.
pub const ERROR_LIGHT: Rgb = Rgb(0xd6, 0x27, 0x28);
pub const ERROR_DARK: Rgb = Rgb(0xff, 0x5c, 0x5c);

pub fn palette(theme: Theme) -> &'static [Rgb; 12] {
    match theme {
        Theme::Light => &LIGHT,
        Theme::Dark => &DARK,
    }
}

pub fn error_color(theme: Theme) -> Rgb {
    match theme {
        Theme::Light => ERROR_LIGHT,
        Theme::Dark => ERROR_DARK,
    }
}

/// 32-bit FNV-1a.
pub fn fnv1a(bytes: &[u8]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for &b in bytes {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// Palette slot per service of one trace (the same slot in both themes).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceColors {
    slots: HashMap<Sym, u8>,
}

impl ServiceColors {
    /// Assigns slots to the trace's services in order of first appearance.
    pub fn for_trace(trace: &Trace, strings: &Interner) -> Self {
        Self::for_services(trace.services(), strings)
    }

    pub fn for_services(services: impl IntoIterator<Item = Sym>, strings: &Interner) -> Self {
        let n = LIGHT.len();
        let mut taken = [false; 12];
        let mut slots = HashMap::new();
        let mut used = 0usize;
        for svc in services {
            if slots.contains_key(&svc) {
                continue;
            }
            let preferred = fnv1a(strings.resolve(svc).as_bytes()) as usize % n;
            let slot = if used < n {
                (0..n)
                    .map(|k| (preferred + k) % n)
                    .find(|&s| !taken.get(s).copied().unwrap_or(true))
                    .unwrap_or(preferred)
            } else {
                preferred
            };
            if let Some(t) = taken.get_mut(slot) {
                if !*t {
                    used += 1;
                }
                *t = true;
            }
            slots.insert(svc, slot as u8);
        }
        ServiceColors { slots }
    }

    pub fn slot(&self, service: Sym) -> Option<u8> {
        self.slots.get(&service).copied()
    }

    /// Colour of a service; an unknown service (not in this trace) falls back to the neutral grey.
    pub fn color(&self, service: Sym, theme: Theme) -> Rgb {
        let p = palette(theme);
        let slot = self.slot(service).map_or(p.len() - 1, usize::from);
        p.get(slot).copied().unwrap_or(Rgb(0x8c, 0x8c, 0x8c))
    }

    /// Bar colour: error red for error spans, else the service colour.
    pub fn bar_color(&self, service: Sym, is_error: bool, theme: Theme) -> Rgb {
        if is_error { error_color(theme) } else { self.color(service, theme) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_red_like(c: Rgb) -> bool {
        let (h, s) = c.hue_saturation();
        s > 0.35 && !(15.0..=345.0).contains(&h)
    }

    #[test]
    fn no_service_colour_is_red_like_and_errors_are() {
        for c in LIGHT.iter().chain(DARK.iter()) {
            assert!(!is_red_like(*c), "{} looks red", c.hex());
        }
        assert!(is_red_like(ERROR_LIGHT) && is_red_like(ERROR_DARK));
        let mut all: Vec<Rgb> = LIGHT.to_vec();
        all.sort_by_key(|c| (c.0, c.1, c.2));
        all.dedup();
        assert_eq!(all.len(), LIGHT.len());
    }

    #[test]
    fn fnv_is_the_reference_function() {
        assert_eq!(fnv1a(b""), 0x811c_9dc5);
        assert_eq!(fnv1a(b"a"), 0xe40c_292c);
        assert_eq!(fnv1a(b"foobar"), 0xbf9c_f968);
    }

    #[test]
    fn distinct_until_the_palette_runs_out_and_stable() {
        let mut strings = Interner::new();
        let names: Vec<Sym> = (0..15).map(|i| strings.intern(&format!("service-{i}"))).collect();
        let colors = ServiceColors::for_services(names.iter().copied(), &strings);
        let mut first12: Vec<u8> = names[..12].iter().map(|&s| colors.slot(s).unwrap()).collect();
        first12.sort_unstable();
        first12.dedup();
        assert_eq!(first12.len(), 12);
        assert!(names[12..].iter().all(|&s| colors.slot(s).is_some()));
        // The first service always gets its hash slot, so it is the same in any trace.
        let alone = ServiceColors::for_services([names[3]], &strings);
        assert_eq!(alone.slot(names[3]), Some((fnv1a(b"service-3") % 12) as u8));
        assert_eq!(colors.bar_color(names[0], true, Theme::Dark), ERROR_DARK);
        assert_eq!(Rgb(1, 2, 255).hex(), "#0102ff");
    }
}
