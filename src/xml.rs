//! The XML writer: the declaration, two-space indentation, escaping (xml-rs's escaping
//! functions), and the replacement of characters XML 1.0 cannot carry live here and nowhere
//! else. Every response body morbox sends is made by a [`Doc`].
//!
//! A `Doc` writes straight into the one buffer that becomes the response body: no event
//! objects, no `fmt` machinery, no allocation but that buffer's (and an escaped copy, only for
//! a value that needs escaping). Its layout is xml-rs's `EmitterConfig` with `perform_indent`,
//! `indent_string("  ")` and `normalize_empty_elements(false)`, byte for byte: the indentation
//! rules below are that emitter's, and a property test holds the two together.

use crate::error::ApiError;
use crate::numbers::Digits;
use std::borrow::Cow;
use xml::escape::{escape_str_attribute, escape_str_pcdata};

/// The declaration every document starts with.
const DECLARATION: &[u8] = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>";

/// Blanks for indentation, copied at once rather than two at a time.
const INDENT: &[u8] = b"                                ";

/// The deepest nesting a document may have (morbox's deepest is 4); deeper is a bug, reported
/// by [`Doc::finish`] rather than a panic or an allocation.
const MAX_DEPTH: usize = 16;

/// What an element (or the document level) has had written in it so far; it decides whether
/// the next markup starts on a new line, as in xml-rs's emitter.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Wrote {
    Nothing,
    Markup,
    Text,
}

/// One open element: where its name sits in the name stack (copied from there into the end
/// tag), and what it has had written in it.
#[derive(Clone, Copy)]
struct Open {
    name_at: u32,
    name_len: u32,
    wrote: Wrote,
}

/// One XML document being written into memory, element by element; a long one may be handed
/// over a piece at a time ([`Doc::spill`]).
pub struct Doc {
    out: Vec<u8>,
    /// The open elements' names, one after another: kept apart from `out`, so that the bytes
    /// written so far can be handed over while elements are still open.
    names: Vec<u8>,
    /// The document level's state, then one entry per open element.
    top: Wrote,
    open: [Open; MAX_DEPTH],
    depth: usize,
    failed: bool,
}

impl Default for Doc {
    fn default() -> Self {
        Self::new()
    }
}

impl Doc {
    /// Starts a document with `<?xml version="1.0" encoding="UTF-8"?>`, sized for a typical
    /// answer.
    pub fn new() -> Doc {
        // The largest answers (user_details_get) are just over 2 KiB: room for them at once.
        Doc::with_capacity(4096)
    }

    /// [`Doc::new`] with room for `bytes` before the buffer grows.
    pub fn with_capacity(bytes: usize) -> Doc {
        let mut out = Vec::with_capacity(bytes.max(DECLARATION.len() + 1));
        out.extend_from_slice(DECLARATION);
        Doc {
            out,
            names: Vec::new(),
            top: Wrote::Markup,
            open: [Open {
                name_at: 0,
                name_len: 0,
                wrote: Wrote::Nothing,
            }; MAX_DEPTH],
            depth: 0,
            failed: false,
        }
    }

    fn wrote(&self) -> Wrote {
        match self.depth {
            0 => self.top,
            d => self.open[d - 1].wrote,
        }
    }

    fn set_wrote(&mut self, w: Wrote) {
        match self.depth {
            0 => self.top = w,
            d => self.open[d - 1].wrote = w,
        }
    }

    fn newline(&mut self, level: usize) {
        // One copy from a ready-made line start; deeper than it (never in morbox) in steps.
        let mut level = level;
        self.out.push(b'\n');
        while level > 0 {
            let n = level.min(INDENT.len() / 2);
            self.out.extend_from_slice(&INDENT[..2 * n]);
            level -= n;
        }
    }

    /// Writes `<name` (the caller adds attributes and `>`).
    fn start(&mut self, name: &str) {
        if self.failed || self.depth == MAX_DEPTH {
            self.failed = true;
            return;
        }
        // Markup starts a new line unless text was written at this level.
        if self.wrote() != Wrote::Text && (self.depth > 0 || self.wrote() == Wrote::Markup) {
            self.newline(self.depth);
            if self.depth > 0 {
                self.set_wrote(Wrote::Markup);
            }
        }
        self.out.push(b'<');
        self.out.extend_from_slice(name.as_bytes());
        let name_at = self.names.len();
        self.names.extend_from_slice(name.as_bytes());
        self.open[self.depth] = Open {
            name_at: name_at as u32,
            name_len: name.len() as u32,
            wrote: Wrote::Markup,
        };
        self.depth += 1;
    }

    /// Opens an element; pair it with [`Doc::close`].
    pub fn open(&mut self, name: &str) -> &mut Self {
        self.start(name);
        self.out.push(b'>');
        self
    }

    /// Opens an element with one attribute (its value escaped); pair it with [`Doc::close`].
    pub fn open_with(&mut self, name: &str, attribute: &str, value: &str) -> &mut Self {
        self.start(name);
        self.out.push(b' ');
        self.out.extend_from_slice(attribute.as_bytes());
        self.out.extend_from_slice(b"=\"");
        let safe = xml_safe(value);
        self.out
            .extend_from_slice(escape_str_attribute(&safe).as_bytes());
        self.out.extend_from_slice(b"\">");
        self
    }

    /// Closes the innermost open element.
    pub fn close(&mut self) -> &mut Self {
        if self.failed || self.depth == 0 {
            self.failed = true;
            return self;
        }
        let open = self.open[self.depth - 1];
        // An end tag goes on its own line after markup, on the same line after text.
        if open.wrote == Wrote::Markup {
            self.newline(self.depth - 1);
        }
        self.out.extend_from_slice(b"</");
        let at = open.name_at as usize;
        self.out
            .extend_from_slice(&self.names[at..at + open.name_len as usize]);
        self.names.truncate(at);
        self.out.push(b'>');
        self.depth -= 1;
        self.set_wrote(Wrote::Markup);
        self
    }

    /// Writes text in the innermost element, escaped.
    fn text(&mut self, text: &str) {
        self.escaped(text);
        self.set_wrote(Wrote::Text);
    }

    /// Appends `text` escaped (copied as is when nothing in it needs care).
    #[inline]
    fn escaped(&mut self, text: &str) {
        if needs_care(text) {
            self.escaped_with_care(text);
        } else {
            self.out.extend_from_slice(text.as_bytes());
        }
    }

    /// The rare part of [`Doc::escaped`], kept out of the line.
    #[cold]
    fn escaped_with_care(&mut self, text: &str) {
        let safe = xml_safe(text);
        self.out
            .extend_from_slice(escape_str_pcdata(&safe).as_bytes());
    }

    /// Writes `<name>text</name>`, escaped; an empty text gives `<name></name>`.
    pub fn leaf(&mut self, name: &str, text: &str) -> &mut Self {
        // Room for the whole line at once: the writes below never grow the buffer.
        self.out
            .reserve(2 * self.depth + 2 * name.len() + text.len() + 8);
        if self.failed || self.depth == 0 || self.depth == MAX_DEPTH || self.wrote() == Wrote::Text
        {
            self.open(name);
            self.text(text);
            return self.close();
        }
        // The usual case, in one pass: a new line, `<name>`, the text, `</name>` (what
        // open, text and close write here, without their bookkeeping).
        self.newline(self.depth);
        self.out.push(b'<');
        self.out.extend_from_slice(name.as_bytes());
        self.out.push(b'>');
        self.escaped(text);
        end_tag(&mut self.out, name);
        self.set_wrote(Wrote::Markup);
        self
    }

    /// Writes `<name>` and the texts one after the other, escaped, then `</name>`: a value
    /// made of parts (an amount and its currency) without first joining them.
    pub fn leaf_parts(&mut self, name: &str, parts: &[&str]) -> &mut Self {
        self.open(name);
        for p in parts {
            self.text(p);
        }
        self.set_wrote(Wrote::Text);
        self.close()
    }

    /// Writes `<name>N</name>` for an integer.
    pub fn leaf_int(&mut self, name: &str, n: i64) -> &mut Self {
        let mut digits = Digits::default();
        self.leaf(name, digits.of(n))
    }

    /// How many bytes are written and not yet handed over.
    pub fn len(&self) -> usize {
        self.out.len()
    }

    /// Whether nothing is (the declaration is always there, so never).
    pub fn is_empty(&self) -> bool {
        self.out.is_empty()
    }

    /// The bytes written so far, once there are at least `at_least` of them: the document
    /// goes on where they end, its open elements still open. For an answer sent while it is
    /// written; the pieces handed over and [`Doc::finish`]'s bytes, one after another, are
    /// the document.
    pub fn spill(&mut self, at_least: usize) -> Option<Vec<u8>> {
        (self.out.len() >= at_least.max(1))
            .then(|| std::mem::replace(&mut self.out, Vec::with_capacity(at_least)))
    }

    /// The finished bytes, with a final newline. Only a bug (unbalanced elements, nesting
    /// deeper than [`MAX_DEPTH`]) fails here.
    pub fn finish(mut self) -> Result<Vec<u8>, ApiError> {
        if self.failed || self.depth != 0 {
            tracing::error!("XML document could not be written");
            return Err(ApiError::Internal);
        }
        self.out.push(b'\n');
        Ok(self.out)
    }
}

/// An element ready to write at a known depth: the start of its line (`\n`, indentation,
/// `<name>`) and its end tag, each one copy. For answers that write the same elements over
/// and over (a row's columns).
pub struct Tag {
    open: Box<[u8]>,
    close: Box<[u8]>,
    name: Box<str>,
    depth: usize,
}

impl Tag {
    /// `<name>` as a child of an element `depth - 1` levels deep (the root's children: 1).
    pub fn new(name: &str, depth: usize) -> Tag {
        let mut open = Vec::with_capacity(1 + 2 * depth + name.len() + 2);
        line_start(&mut open, name, depth);
        let mut close = Vec::with_capacity(name.len() + 3);
        end_tag(&mut close, name);
        Tag {
            open: open.into(),
            close: close.into(),
            name: name.into(),
            depth,
        }
    }
}

impl Doc {
    /// [`Doc::leaf`] with a ready-made [`Tag`]; the same bytes, fewer steps. Where the tag
    /// does not fit (another depth, text before it), it is written as [`Doc::leaf`] would.
    pub fn leaf_tag(&mut self, tag: &Tag, text: &str) -> &mut Self {
        if self.failed || tag.depth != self.depth || self.depth == 0 || self.wrote() == Wrote::Text
        {
            return self.leaf(&tag.name, text);
        }
        self.out
            .reserve(tag.open.len() + tag.close.len() + text.len());
        self.out.extend_from_slice(&tag.open);
        self.escaped(text);
        self.out.extend_from_slice(&tag.close);
        self.set_wrote(Wrote::Markup);
        self
    }
}

/// A fixed run of sibling leaves (a row's columns) at a known depth, written with one copy
/// between two values: the end tag of one and the next one's new line, indentation and start
/// tag, made once. For the longest answers (155 columns), where a leaf's three copies and its
/// checks were a third of the work.
pub struct Leaves {
    /// Each leaf's lead-in in `bytes`: the previous end tag, `\n`, indentation, `<name>`.
    spans: Box<[(u32, u32)]>,
    /// The lead-ins one after another, then the last leaf's end tag.
    bytes: Box<[u8]>,
    names: Box<[Box<str>]>,
    depth: usize,
}

impl Leaves {
    /// Leaves named `names`, children of an element `depth - 1` levels deep (as [`Tag::new`]).
    pub fn new<S: AsRef<str>>(names: &[S], depth: usize) -> Leaves {
        let mut bytes = Vec::new();
        let mut spans = Vec::with_capacity(names.len());
        let mut before: Option<&str> = None;
        let at = |bytes: &Vec<u8>| u32::try_from(bytes.len()).unwrap_or(u32::MAX);
        for name in names {
            let name = name.as_ref();
            let start = at(&bytes);
            if let Some(prev) = before {
                end_tag(&mut bytes, prev);
            }
            line_start(&mut bytes, name, depth);
            spans.push((start, at(&bytes)));
            before = Some(name);
        }
        if let Some(last) = before {
            end_tag(&mut bytes, last);
        }
        Leaves {
            spans: spans.into(),
            bytes: bytes.into(),
            names: names.iter().map(|n| n.as_ref().into()).collect(),
            depth,
        }
    }

    /// Leaf `i`'s end tag (the start of the next lead-in, or the last bytes).
    fn end_tag(&self, i: usize) -> &[u8] {
        let start = self.spans.get(i).map_or(0, |s| s.1 as usize);
        let len = self.names.get(i).map_or(0, |n| n.len() + 3);
        self.bytes.get(start..start + len).unwrap_or_default()
    }
}

/// A ready-made leaf's line start: `\n`, the indentation of `depth`, `<name>`.
fn line_start(out: &mut Vec<u8>, name: &str, depth: usize) {
    out.push(b'\n');
    out.extend(std::iter::repeat_n(b' ', 2 * depth));
    out.push(b'<');
    out.extend_from_slice(name.as_bytes());
    out.push(b'>');
}

/// `</name>`.
fn end_tag(out: &mut Vec<u8>, name: &str) {
    out.extend_from_slice(b"</");
    out.extend_from_slice(name.as_bytes());
    out.push(b'>');
}

/// [`Leaves`] being written into a [`Doc`], in order; the last one's end tag is written when
/// the run is dropped (so a run cut short still leaves the document balanced).
pub struct LeafRun<'a> {
    doc: &'a mut Doc,
    leaves: &'a Leaves,
    next: usize,
    /// Whether the ready-made bytes fit where the run starts (depth, no text before).
    fits: bool,
}

impl Doc {
    /// Starts writing `leaves` here. Where their bytes do not fit (another depth, text before
    /// them), each is written as [`Doc::leaf`] would.
    pub fn leaves<'a>(&'a mut self, leaves: &'a Leaves) -> LeafRun<'a> {
        let fits = !self.failed
            && self.depth > 0
            && leaves.depth == self.depth
            && self.wrote() != Wrote::Text;
        LeafRun {
            doc: self,
            leaves,
            next: 0,
            fits,
        }
    }
}

impl LeafRun<'_> {
    /// Writes the next leaf with `text`, escaped. One past the last leaf is a bug: the
    /// document fails at [`Doc::finish`].
    pub fn push(&mut self, text: &str) {
        let i = self.next;
        let Some(&(start, end)) = self.leaves.spans.get(i) else {
            self.doc.failed = true;
            return;
        };
        self.next += 1;
        if !self.fits {
            let name = self.leaves.names.get(i).map_or("", |n| n);
            self.doc.leaf(name, text);
            return;
        }
        let lead_in = self
            .leaves
            .bytes
            .get(start as usize..end as usize)
            .unwrap_or_default();
        self.doc.out.extend_from_slice(lead_in);
        self.doc.escaped(text);
    }
}

impl Drop for LeafRun<'_> {
    fn drop(&mut self) {
        if self.fits && self.next > 0 {
            let close = self.leaves.end_tag(self.next - 1);
            self.doc.out.extend_from_slice(close);
            self.doc.set_wrote(Wrote::Markup);
        }
    }
}

/// Whether a text may need escaping or replacing: it holds `<`, `>` or `&`, a C0 control, or
/// the lead byte of U+FFFE/U+FFFF (0xEF). One pass over the bytes; most values have none.
fn needs_care(text: &str) -> bool {
    text.bytes().any(|b| CARE[b as usize])
}

/// The bytes [`needs_care`] looks for, as a table (one load per byte).
const CARE: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        t[b] = true;
        b += 1;
    }
    t[b'<' as usize] = true;
    t[b'>' as usize] = true;
    t[b'&' as usize] = true;
    t[0xEF] = true;
    t
};

/// Replaces the characters that XML 1.0 forbids even escaped (most C0 controls, U+FFFE,
/// U+FFFF) with U+FFFD, so that whatever a database row holds, the document stays well-formed.
pub fn xml_safe(text: &str) -> Cow<'_, str> {
    let bad = |c: char| {
        (c < '\u{20}' && !matches!(c, '\t' | '\n' | '\r')) || c == '\u{FFFE}' || c == '\u{FFFF}'
    };
    if text.chars().any(bad) {
        Cow::Owned(
            text.chars()
                .map(|c| if bad(c) { '\u{FFFD}' } else { c })
                .collect(),
        )
    } else {
        Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn text(doc: Doc) -> String {
        String::from_utf8(doc.finish().unwrap()).unwrap()
    }

    #[test]
    fn declaration_indentation_and_empty_elements() {
        let mut d = Doc::new();
        d.open("page")
            .leaf("a", "1")
            .open("b")
            .leaf("c", "")
            .close()
            .close();
        assert_eq!(
            text(d),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<page>\n  <a>1</a>\n  <b>\n    <c></c>\n  </b>\n</page>\n"
        );
    }

    #[test]
    fn escapes_markup() {
        let mut d = Doc::new();
        d.leaf("e", "a<b>&c\"d'");
        assert!(text(d).contains("<e>a&lt;b&gt;&amp;c\"d'</e>"));
    }

    #[test]
    fn replaces_forbidden_characters() {
        assert_eq!(xml_safe("a\u{0}b\u{1}c\td"), "a\u{FFFD}b\u{FFFD}c\td");
        assert!(matches!(xml_safe("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn unbalanced_or_too_deep_is_an_error_not_a_panic() {
        let mut d = Doc::new();
        d.close();
        assert!(d.finish().is_err());
        let mut d = Doc::new();
        d.open("a");
        assert!(d.finish().is_err());
        let mut d = Doc::new();
        for _ in 0..=MAX_DEPTH {
            d.open("a");
        }
        for _ in 0..=MAX_DEPTH {
            d.close();
        }
        assert!(d.finish().is_err());
    }

    #[test]
    fn a_run_of_leaves_past_its_names_is_an_error_not_a_panic() {
        let leaves = Leaves::new(&["a", "b"], 1);
        let mut d = Doc::new();
        d.open("r");
        {
            let mut run = d.leaves(&leaves);
            run.push("1");
            run.push("2");
            run.push("3");
        }
        d.close();
        assert!(d.finish().is_err());
        let mut d = Doc::new();
        d.open("r");
        {
            let mut run = d.leaves(&leaves);
            run.push("1<");
        }
        d.close();
        assert_eq!(
            text(d),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<r>\n  <a>1&lt;</a>\n</r>\n"
        );
    }

    #[test]
    fn integers() {
        let mut digits = Digits::default();
        for n in [0, 7, -7, 1001, i64::MAX, i64::MIN] {
            assert_eq!(digits.of(n), n.to_string());
        }
    }

    /// One step of a document, for the comparison with xml-rs's emitter.
    #[derive(Debug, Clone)]
    enum Step {
        Open(String),
        OpenWith(String, String, String),
        Leaf(String, String),
        Tagged(String, usize, String),
        /// A [`Leaves`] run: its names, the values pushed (as many or fewer), and whether it
        /// was made for the depth it lands at.
        Run(Vec<String>, Vec<String>, bool),
        Close,
    }

    fn step() -> impl Strategy<Value = Step> {
        let name = "[a-z_]{1,8}";
        let value = "[a-z<>&\"'\\n\\r\\t\u{0}\u{1f}\u{fffe}\u{ffff}é ]{0,12}";
        prop_oneof![
            name.prop_map(Step::Open),
            (name, name, value).prop_map(|(n, a, v)| Step::OpenWith(n, a, v)),
            (name, value).prop_map(|(n, v)| Step::Leaf(n, v)),
            (name, 0usize..5, value).prop_map(|(n, d, v)| Step::Tagged(n, d, v)),
            (
                proptest::collection::vec(name, 0..6),
                proptest::collection::vec(value, 0..6),
                0usize..5
            )
                .prop_map(|(names, mut values, d)| {
                    values.truncate(names.len());
                    Step::Run(names, values, d != 0)
                }),
            Just(Step::Close),
        ]
    }

    /// The same steps through xml-rs's event writer, configured as morbox's writer was.
    fn with_xml_rs(steps: &[Step]) -> Option<Vec<u8>> {
        use xml::writer::{EmitterConfig, XmlEvent};
        let mut w = EmitterConfig::new()
            .perform_indent(true)
            .indent_string("  ")
            .normalize_empty_elements(false)
            .write_document_declaration(false)
            .create_writer(Vec::new());
        w.write(XmlEvent::StartDocument {
            version: xml::common::XmlVersion::Version10,
            encoding: Some("UTF-8"),
            standalone: None,
        })
        .ok()?;
        for s in steps {
            match s {
                Step::Open(n) => w.write(XmlEvent::start_element(n.as_str())).ok()?,
                Step::OpenWith(n, a, v) => {
                    let v = xml_safe(v);
                    w.write(XmlEvent::start_element(n.as_str()).attr(a.as_str(), &v))
                        .ok()?
                }
                Step::Leaf(n, v) | Step::Tagged(n, _, v) => {
                    w.write(XmlEvent::start_element(n.as_str())).ok()?;
                    w.write(XmlEvent::characters(&xml_safe(v))).ok()?;
                    w.write(XmlEvent::end_element()).ok()?;
                }
                Step::Run(names, values, _) => {
                    for (n, v) in names.iter().zip(values) {
                        w.write(XmlEvent::start_element(n.as_str())).ok()?;
                        w.write(XmlEvent::characters(&xml_safe(v))).ok()?;
                        w.write(XmlEvent::end_element()).ok()?;
                    }
                }
                Step::Close => w.write(XmlEvent::end_element()).ok()?,
            }
        }
        let mut out = w.into_inner();
        out.push(b'\n');
        Some(out)
    }

    fn depth_of(d: &Doc) -> usize {
        d.depth
    }

    proptest! {
        /// Any balanced sequence of steps gives xml-rs's bytes exactly, whole or handed over
        /// in pieces of at least `spill_at` bytes between the steps.
        #[test]
        fn same_bytes_as_xml_rs_emitter(
            steps in proptest::collection::vec(step(), 0..40),
            spill_at in 1usize..400,
        ) {
            // Balance the steps: drop closes with nothing open, close what is left open.
            let mut balanced = Vec::new();
            let mut depth = 0usize;
            for s in steps {
                match s {
                    Step::Close if depth == 0 => continue,
                    Step::Close => depth -= 1,
                    Step::Open(_) | Step::OpenWith(..) if depth + 1 >= MAX_DEPTH => continue,
                    Step::Open(_) | Step::OpenWith(..) => depth += 1,
                    Step::Leaf(..) | Step::Tagged(..) | Step::Run(..) if depth + 1 >= MAX_DEPTH => {
                        continue
                    }
                    Step::Leaf(..) | Step::Tagged(..) | Step::Run(..) => {}
                }
                balanced.push(s);
            }
            balanced.extend(std::iter::repeat_n(Step::Close, depth));
            let mut d = Doc::new();
            let mut pieces = Vec::new();
            for s in &balanced {
                if let Some(piece) = d.spill(spill_at) {
                    prop_assert!(piece.len() >= spill_at);
                    pieces.extend_from_slice(&piece);
                }
                match s {
                    Step::Open(n) => { d.open(n); }
                    Step::OpenWith(n, a, v) => { d.open_with(n, a, v); }
                    Step::Leaf(n, v) => { d.leaf(n, v); }
                    // A tag made for the depth it lands at, or (one time in five) another.
                    Step::Tagged(n, guess, v) => {
                        let at = if *guess == 0 { depth_of(&d) + 1 } else { depth_of(&d) };
                        d.leaf_tag(&Tag::new(n, at), v);
                    }
                    Step::Run(names, values, fits) => {
                        let at = if *fits { depth_of(&d) } else { depth_of(&d) + 1 };
                        let leaves = Leaves::new(names, at);
                        let mut run = d.leaves(&leaves);
                        for v in values {
                            run.push(v);
                        }
                    }
                    Step::Close => { d.close(); }
                }
            }
            pieces.extend_from_slice(&d.finish().unwrap());
            let ours = pieces;
            let theirs = with_xml_rs(&balanced).unwrap();
            prop_assert_eq!(String::from_utf8_lossy(&ours), String::from_utf8_lossy(&theirs));
        }
    }
}
