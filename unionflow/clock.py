"""The federation's clock: notice dates, objection periods and report times are local here."""

from __future__ import annotations

from typing import Final

#: Notice dates, the end of an objection period and the times reports show are in this zone.
FEDERATION_TIMEZONE: Final = "Asia/Shanghai"
