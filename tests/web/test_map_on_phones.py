"""The clinician's map on a phone: the readable list comes before the drawn maps, whose
tile text is too small at 390 px (QA finding 13)."""

from __future__ import annotations

from typing import Any

from neuroseq.web.models import Role


def test_the_map_as_words_comes_before_the_drawn_maps(world: Any, as_role: Any) -> None:
    http = as_role(Role.CLINICIAN)
    for path in (f"/assessments/{world.signed.pk}/", f"/clients/{world.signed.client_id}/"):
        page = http.get(path).content.decode()
        section = page.split('id="maps-title"', 1)[1]
        assert 'class="map-tiles narrow-only"' in section, path
        assert section.index("The map, row by row") < section.index('<figure class="map">'), path
