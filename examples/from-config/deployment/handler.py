"""Processor entry point: converts sensor distance readings into tank levels."""

import statistics


def level_percent(distance_mm: float, tank_height_mm: float) -> float:
    filled = max(0.0, min(tank_height_mm, tank_height_mm - distance_mm))
    return round(100.0 * filled / tank_height_mm, 1)


def handler(event, context):
    cfg = context.config
    readings = event["readings"][-5:]
    distance = statistics.median(r["distance_mm"] for r in readings)
    percent = level_percent(distance, cfg["tank_height_mm"])
    return {
        "level_percent": percent,
        "volume_litres": round(cfg["capacity_litres"] * percent / 100.0),
    }
