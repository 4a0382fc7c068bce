import workerskv
from workerskv import errors


def test_all_is_sorted_and_importable() -> None:
    assert workerskv.__all__ == sorted(workerskv.__all__)
    for name in workerskv.__all__:
        assert getattr(workerskv, name) is not None


def test_every_error_class_derives_from_the_base() -> None:
    classes = [
        value
        for value in vars(errors).values()
        if isinstance(value, type) and issubclass(value, Exception)
    ]

    assert all(issubclass(c, errors.WorkersKVError) for c in classes)
    assert all(c.__doc__ for c in classes)
