from wagtail import hooks

from courses import navigation


@hooks.register("route_from_home")
def route_lesson(home, request, path_components):
    return navigation.lesson_route(home=home, request=request, path_components=path_components)
