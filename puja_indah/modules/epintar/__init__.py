"""e-pintar: Dinas Pendidikan's schools, announcements to parents and moderated public feedback."""
