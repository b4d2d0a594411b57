"""Pagination that does not count every row of a long list.

Django's ``Paginator`` runs ``COUNT(*)`` over the whole result for "N found" and "page x
of y"; at 100,000 clients that count costs more than the rest of the page. This one counts
at most ``cap`` + 1 rows: up to ``cap`` the page shows the exact count and the number of
pages as before; beyond it, "more than <cap>", and each page asks for one row more than
it shows to know whether a next page exists.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator

COUNT_CAP = 1000


class CappedPage(Page):
    def __init__(self, object_list: Any, number: int, paginator: Any, has_more: bool):
        super().__init__(object_list, number, paginator)
        self._has_more = has_more

    def has_next(self) -> bool:
        return self._has_more

    def end_index(self) -> int:
        return (self.number - 1) * self.paginator.per_page + len(self.object_list)


class CappedPaginator(Paginator):
    def __init__(self, object_list: Any, per_page: int, cap: int | None = None):
        super().__init__(object_list, per_page)
        self.cap = COUNT_CAP if cap is None else cap

    @cached_property
    def count(self) -> int:
        """The exact count up to ``cap``; ``cap + 1`` means "more than ``cap``".

        Counted on the ids alone: annotations (such as the latest assessment) and the
        ordering only matter for the rows a page shows.
        """
        return int(self.object_list.values("pk").order_by()[: self.cap + 1].count())

    @property
    def capped(self) -> bool:
        return self.count > self.cap

    def validate_number(self, number: Any) -> int:
        if not self.capped:
            return int(super().validate_number(number))
        try:
            value = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger("That page number is not an integer") from None
        if value < 1:
            raise EmptyPage("That page number is less than 1")
        return value

    def page(self, number: Any) -> Page:
        if not self.capped:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        if not rows and number > 1:
            raise EmptyPage("That page contains no results")
        return CappedPage(rows[: self.per_page], number, self, len(rows) > self.per_page)

    def get_page(self, number: Any) -> Page:
        try:
            return self.page(number)
        except PageNotAnInteger:
            return self.page(1)
        except EmptyPage:
            if not self.capped:
                return self.page(self.num_pages)
            return self.page(1)
