"""The statistics release that is due (DESIGN §7), for ``violeta publish`` and the demo."""

from __future__ import annotations

from violeta.settings import Settings


def publish_release(settings: Settings, k: int = 5, lag_days: int = 15) -> list[str]:
    """Computes and freezes the release due today over this institute's views and says so in
    Spanish lines; a release that fails its audit raises ``ReleaseRefused`` and stores nothing."""
    from projections.releases import information_loss, publish_data_dir

    release = publish_data_dir(
        settings.data,
        backend=settings.backend,
        postgres=settings.postgres,
        postgres_schema=settings.postgres_schema,
        k=k,
        lag_days=lag_days,
    )
    if release is None:
        return ["No hay publicación pendiente: la vigente cubre todos los meses cerrados."]
    return [
        f"Publicación {release.number}: de {_month(release.period_from)} a "
        f"{_month(release.period_to)}.",
        *information_loss(release),
    ]


def _month(iso_month: str) -> str:
    """«2026-10» as staff read it: «10/2026»."""
    year, month = iso_month.split("-")
    return f"{month}/{year}"
