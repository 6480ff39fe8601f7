"""Where a CJK font is: the licence generator renders Chinese text with one.

The project takes it from Debian (``fonts-wqy-zenhei``, installed by
``infra/install_cjk_fonts.sh``, which ``make test`` / ``make bench`` run); ``fc-match`` finds
any other installed CJK font. Nothing is downloaded at run time.
"""

from __future__ import annotations

import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

#: Checked first, in order: Debian's WenQuanYi Zen Hei and Noto CJK.
KNOWN_FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
)


class FontMissingError(RuntimeError):
    """No CJK font is installed (run ``bash infra/install_cjk_fonts.sh``)."""


@lru_cache(maxsize=1)
def cjk_font_path() -> Path:
    """The path of an installed font with Chinese glyphs.

    Raises:
        FontMissingError: none installed.
    """
    for candidate in KNOWN_FONTS:
        if Path(candidate).is_file():
            return Path(candidate)
    if shutil.which("fc-list"):
        out = subprocess.run(["fc-list", ":lang=zh", "file"], capture_output=True, text=True,
                             check=False).stdout
        for line in sorted(out.splitlines()):
            path = line.split(":", 1)[0].strip()
            if path and Path(path).is_file():
                return Path(path)
    raise FontMissingError("no CJK font installed: run `bash infra/install_cjk_fonts.sh` "
                           "(Debian package fonts-wqy-zenhei)")
