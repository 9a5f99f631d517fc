//! TODO(owner of this file): doc comment saying what this parser recognises, with one example.

use super::Ctx;
use crate::model::Model;
use crate::sections::Section;

pub fn parse(section: &Section<'_>, _ctx: &Ctx, model: &mut Model) {
    super::not_read_yet(section, model);
}
