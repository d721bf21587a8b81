//! The XML writer, on xml-rs: the declaration, two-space indentation, escaping, and the
//! replacement of characters XML 1.0 cannot carry live here and nowhere else. Every response
//! body morbox sends is made by a [`Doc`].

use crate::error::ApiError;
use std::borrow::Cow;
use xml::writer::{EmitterConfig, EventWriter, XmlEvent};

/// One XML document being written into memory, element by element.
pub struct Doc {
    w: EventWriter<Vec<u8>>,
    failed: bool,
}

impl Default for Doc {
    fn default() -> Self {
        Self::new()
    }
}

impl Doc {
    /// Starts a document with `<?xml version="1.0" encoding="UTF-8"?>`.
    pub fn new() -> Doc {
        let config = EmitterConfig::new()
            .perform_indent(true)
            .indent_string("  ")
            .normalize_empty_elements(false)
            .write_document_declaration(false);
        let mut w = config.create_writer(Vec::with_capacity(2048));
        let failed = w
            .write(XmlEvent::StartDocument {
                version: xml::common::XmlVersion::Version10,
                encoding: Some("UTF-8"),
                standalone: None,
            })
            .is_err();
        Doc { w, failed }
    }

    /// Opens an element; pair it with [`Doc::close`].
    pub fn open(&mut self, name: &str) -> &mut Self {
        self.emit(XmlEvent::start_element(name));
        self
    }

    /// Opens an element with one attribute (its value escaped); pair it with [`Doc::close`].
    pub fn open_with(&mut self, name: &str, attribute: &str, value: &str) -> &mut Self {
        let value = xml_safe(value);
        self.emit(XmlEvent::start_element(name).attr(attribute, &value));
        self
    }

    /// Closes the innermost open element.
    pub fn close(&mut self) -> &mut Self {
        self.emit(XmlEvent::end_element());
        self
    }

    /// Writes `<name>text</name>`, escaped; an empty text gives `<name></name>`.
    pub fn leaf(&mut self, name: &str, text: &str) -> &mut Self {
        self.open(name);
        // Written even when empty: it keeps the end tag on the same line, so an empty value
        // never reads as whitespace.
        let text = xml_safe(text);
        self.emit(XmlEvent::characters(&text));
        self.close()
    }

    fn emit<'a>(&mut self, event: impl Into<XmlEvent<'a>>) {
        if !self.failed && self.w.write(event).is_err() {
            self.failed = true;
        }
    }

    /// The finished bytes, with a final newline. Only a bug (unbalanced elements, a bad
    /// element name) fails here.
    pub fn finish(self) -> Result<Vec<u8>, ApiError> {
        if self.failed {
            tracing::error!("XML document could not be written");
            return Err(ApiError::Internal);
        }
        let mut out = self.w.into_inner();
        out.push(b'\n');
        Ok(out)
    }
}

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
}
