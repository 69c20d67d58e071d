"""Parquet files joined without decoding their pages: the footers' row groups, moved to where the bytes land.

A Parquet file is `PAR1`, column chunks, a footer (FileMetaData in Thrift's compact protocol), the footer's
length and `PAR1`. Files written with the same schema and options can be joined into one by copying each one's
bytes between the magic and its footer, one after the other, and writing one footer holding every row group with
its byte offsets moved by where its bytes now start. This module reads and writes just enough of the compact
protocol for that (every field kept as it was read, whatever its type) and refuses a footer with what it would
have to rewrite elsewhere (page indexes, bloom filters, encryption: absolute offsets outside the footer).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Any

MAGIC = b"PAR1"
_BOOL_TRUE, _BOOL_FALSE, _BYTE, _I16, _I32, _I64, _DOUBLE, _BINARY, _LIST, _SET, _MAP, _STRUCT = range(1, 13)

# field ids (parquet.thrift)
_META_NUM_ROWS, _META_ROW_GROUPS, _META_ENCRYPTION = 3, 4, 8
_GROUP_COLUMNS, _GROUP_FILE_OFFSET, _GROUP_ORDINAL = 1, 5, 7
_CHUNK_FILE_OFFSET, _CHUNK_META, _CHUNK_OFFSET_INDEX, _CHUNK_COLUMN_INDEX, _CHUNK_CRYPTO = 2, 3, 4, 6, 8
_COLUMN_PAGE_OFFSETS = (9, 10, 11)  # data, index and dictionary page offsets
_COLUMN_BLOOM_FILTER = 14


class FooterError(ValueError):
    """A footer this module does not join (it holds offsets outside the row groups' columns)."""


@dataclass
class Field:
    """One field of a Thrift struct as read: its id, compact type and value (int, bytes, Struct, or List)."""

    id: int
    type: int
    value: Any


@dataclass
class List:
    element: int  # compact type of the elements
    items: list[Any]


Struct = list[Field]


def split_file(data: bytes | memoryview) -> tuple[int, bytes]:
    """(where the footer starts, the footer's bytes) of a whole Parquet file's bytes."""
    if bytes(data[:4]) != MAGIC or bytes(data[-4:]) != MAGIC:
        raise FooterError("not a Parquet file")
    length = int.from_bytes(data[-8:-4], "little")
    start = len(data) - 8 - length
    return start, bytes(data[start:-8])


def read_footer(footer: bytes) -> Struct:
    value, _ = _read_struct(footer, 0)
    return value


def write_footer(meta: Struct) -> bytes:
    out = bytearray()
    _write_struct(out, meta)
    return bytes(out)


def row_groups(meta: Struct) -> list[Struct]:
    return list(_field(meta, _META_ROW_GROUPS).value.items)


def moved(group: Struct, shift: int, ordinal: int) -> Struct:
    """A row group whose column chunks now start `shift` bytes later in the file, numbered `ordinal`."""
    for field in group:
        if field.id == _GROUP_FILE_OFFSET:
            field.value += shift
        elif field.id == _GROUP_ORDINAL:
            field.value = ordinal
        elif field.id == _GROUP_COLUMNS:
            for chunk in field.value.items:
                _move_chunk(chunk, shift)
    return group


def joined(first: Struct, groups: list[Struct]) -> Struct:
    """The first file's footer (schema, key-value metadata, created_by, column orders) with all the row groups."""
    rows = sum(_field(group, 3).value for group in groups)
    meta = [Field(f.id, f.type, f.value) for f in first]
    _field(meta, _META_NUM_ROWS).value = rows
    _field(meta, _META_ROW_GROUPS).value = List(_STRUCT, groups)
    return meta


def _move_chunk(chunk: Struct, shift: int) -> None:
    for field in chunk:
        if field.id in (_CHUNK_OFFSET_INDEX, _CHUNK_COLUMN_INDEX, _CHUNK_CRYPTO):
            raise FooterError("page indexes and encrypted columns are not joined")
        if field.id == _CHUNK_FILE_OFFSET:
            field.value += shift
        elif field.id == _CHUNK_META:
            for column in field.value:
                if column.id == _COLUMN_BLOOM_FILTER:
                    raise FooterError("bloom filters are not joined")
                if column.id in _COLUMN_PAGE_OFFSETS:
                    column.value += shift


def _field(fields: Struct, wanted: int) -> Field:
    for field in fields:
        if field.id == wanted:
            return field
    raise FooterError(f"footer field {wanted} missing")


# -- Thrift compact protocol ----------------------------------------------------------------------------------


def _varint(data: bytes, at: int) -> tuple[int, int]:
    shift = result = 0
    while True:
        byte = data[at]
        at += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result, at
        shift += 7


def _zigzag(value: int) -> int:
    return (value >> 1) ^ -(value & 1)


def _read_value(data: bytes, at: int, kind: int) -> tuple[Any, int]:
    if kind in (_BOOL_TRUE, _BOOL_FALSE):  # in a container: one byte
        return data[at], at + 1
    if kind == _BYTE:
        return struct.unpack_from("b", data, at)[0], at + 1
    if kind in (_I16, _I32, _I64):
        raw, at = _varint(data, at)
        return _zigzag(raw), at
    if kind == _DOUBLE:
        return bytes(data[at:at + 8]), at + 8
    if kind == _BINARY:
        size, at = _varint(data, at)
        return bytes(data[at:at + size]), at + size
    if kind in (_LIST, _SET):
        header = data[at]
        at += 1
        size, element = header >> 4, header & 0x0F
        if size == 15:
            size, at = _varint(data, at)
        items = []
        for _ in range(size):
            item, at = _read_value(data, at, element)
            items.append(item)
        return List(element, items), at
    if kind == _STRUCT:
        return _read_struct(data, at)
    raise FooterError(f"Thrift type {kind} not read here")


def _read_struct(data: bytes, at: int) -> tuple[Struct, int]:
    fields: Struct = []
    last = 0
    while True:
        header = data[at]
        at += 1
        if header == 0:
            return fields, at
        delta, kind = header >> 4, header & 0x0F
        if delta:
            number = last + delta
        else:
            raw, at = _varint(data, at)
            number = _zigzag(raw)
        if kind in (_BOOL_TRUE, _BOOL_FALSE):
            value = None  # the type is the value
        else:
            value, at = _read_value(data, at, kind)
        fields.append(Field(number, kind, value))
        last = number


def _write_varint(out: bytearray, value: int) -> None:
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)


def _write_value(out: bytearray, kind: int, value: Any) -> None:
    if kind in (_BOOL_TRUE, _BOOL_FALSE):
        out.append(value)
    elif kind == _BYTE:
        out += struct.pack("b", value)
    elif kind in (_I16, _I32, _I64):
        _write_varint(out, (value << 1) ^ (value >> 63))
    elif kind == _DOUBLE:
        out += value
    elif kind == _BINARY:
        _write_varint(out, len(value))
        out += value
    elif kind in (_LIST, _SET):
        size = len(value.items)
        if size < 15:
            out.append(size << 4 | value.element)
        else:
            out.append(0xF0 | value.element)
            _write_varint(out, size)
        for item in value.items:
            _write_value(out, value.element, item)
    elif kind == _STRUCT:
        _write_struct(out, value)
    else:
        raise FooterError(f"Thrift type {kind} not written here")


def _write_struct(out: bytearray, fields: Struct) -> None:
    last = 0
    for field in fields:
        delta = field.id - last
        if 0 < delta <= 15:
            out.append(delta << 4 | field.type)
        else:
            out.append(field.type)
            _write_varint(out, (field.id << 1) ^ (field.id >> 15))
        if field.type not in (_BOOL_TRUE, _BOOL_FALSE):
            _write_value(out, field.type, field.value)
        last = field.id
    out.append(0)
